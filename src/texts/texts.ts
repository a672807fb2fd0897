import { recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import type { Catalogue } from '../i18n.js';
import { Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { renderMarkdown } from '../messages/markdown.js';
import type { Actor } from '../users/actor.js';
import { escapeHtml } from '../lib/text.js';

/** Texts whose key ends in `.md` are Markdown (help and instruction blocks); the rest are plain. */
export function isMarkdownKey(key: string): boolean {
  return key.endsWith('.md');
}

/** The {placeholders} a text uses, in order, once each. */
export function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))];
}

const SAMPLES: Record<string, string> = {
  id: '1042', subject: 'The printer on floor 2 is offline', name: 'Alex Example', portal: 'Example Support',
  actor: 'Sam Agent', email: 'alex@example.com', count: '3', status: 'Solved', from: 'Open', to: 'Solved',
};

/** How a text reads with sample values in its placeholders, as safe HTML (Markdown rendered). */
export function previewText(key: string, text: string): { html: string; markdown: boolean } {
  const filled = text.replace(/\{(\w+)\}/g, (_m, name: string) => SAMPLES[name] ?? `‹${name}›`);
  const markdown = isMarkdownKey(key);
  return { html: markdown ? renderMarkdown(filled) : escapeHtml(filled), markdown };
}

export interface TextInput { key: string; locale: string; value?: unknown }

function target(catalogue: Catalogue, input: TextInput): void {
  if (!catalogue.has(input.key) || !catalogue.locales().includes(input.locale)) throw new NotFound();
}

/**
 * The value an admin typed, checked: not empty, not huge, and using only the placeholders the
 * shipped text offers (an unknown one would show as `{typo}` to every customer).
 */
export function checkText(catalogue: Catalogue, input: TextInput): string {
  target(catalogue, input);
  const value = typeof input.value === 'string' ? input.value.replace(/\r\n/g, '\n').trim() : '';
  if (!value) throw new Invalid({ value: 'errors.required' });
  if (value.length > 20_000) throw new Invalid({ value: 'errors.tooLong' });
  const known = placeholders(catalogue.defaultText(input.key, 'en') ?? '');
  const unknown = placeholders(value).filter((p) => !known.includes(p));
  if (unknown.length > 0) throw new Invalid({ value: 'admin.texts.errors.placeholder' }, 'admin.texts.errors.placeholder', { names: unknown.map((p) => `{${p}}`).join(', ') });
  return value;
}

/** An admin overrides one text in one language; the caller reloads the catalogue afterwards. */
export async function saveText(db: Db, actor: Actor, catalogue: Catalogue, input: TextInput): Promise<boolean> {
  if (actor.role !== 'admin') throw new Forbidden();
  const value = checkText(catalogue, input);
  const { key, locale } = input;
  return db.transaction().execute(async (trx) => {
    const before = (await trx.selectFrom('texts').select('value').where('key', '=', key).where('locale', '=', locale).executeTakeFirst())?.value
      ?? catalogue.defaultText(key, locale) ?? null;
    if (before === value) return false;
    await trx.insertInto('texts').values({ key, locale, value })
      .onConflict((oc) => oc.columns(['key', 'locale']).doUpdateSet({ value })).execute();
    await recordAudit(trx, actor, { action: 'text.changed', subjectType: 'text', subjectId: 0, details: { key, locale }, before, after: value });
    return true;
  });
}

/** An admin drops an override: the shipped text shows again. */
export async function resetText(db: Db, actor: Actor, catalogue: Catalogue, input: TextInput): Promise<boolean> {
  if (actor.role !== 'admin') throw new Forbidden();
  target(catalogue, input);
  const { key, locale } = input;
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('texts').select('value').where('key', '=', key).where('locale', '=', locale).executeTakeFirst();
    if (!row) return false;
    await trx.deleteFrom('texts').where('key', '=', key).where('locale', '=', locale).execute();
    await recordAudit(trx, actor, {
      action: 'text.reset', subjectType: 'text', subjectId: 0, details: { key, locale }, before: row.value, after: catalogue.defaultText(key, locale) ?? null,
    });
    return true;
  });
}

/** The live catalogue takes the table's overrides again (after a save or a reset: shown at once). */
export async function reloadOverrides(db: Db, catalogue: Catalogue): Promise<void> {
  catalogue.setOverrides(await db.selectFrom('texts').select(['key', 'locale', 'value']).execute());
}
