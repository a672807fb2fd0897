import { recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import type { Catalogue } from '../i18n.js';
import { Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { renderMarkdown } from '../messages/markdown.js';
import { can } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { compileMessage, messageArguments, MessageSyntaxError } from '../lib/icu.js';
import { escapeHtml } from '../lib/text.js';
import type { TextValue } from './schemas.js';

/** Texts whose key ends in `.md` are Markdown (help and instruction blocks); the rest are plain. */
export function isMarkdownKey(key: string): boolean {
  return key.endsWith('.md');
}

/** The {placeholders} a text uses (plural and select arguments too), once each; none when it does not parse. */
export function placeholders(text: string): string[] {
  try {
    return [...messageArguments(text).keys()];
  } catch {
    return [];
  }
}

const SAMPLES: Record<string, string> = {
  id: '1042', subject: 'The printer on floor 2 is offline', name: 'Alex Example', portal: 'Example Support',
  actor: 'Sam Agent', email: 'alex@example.com', status: 'Solved', from: 'Open', to: 'Solved',
};

/**
 * How a text reads with sample values in its placeholders, as safe HTML (Markdown rendered), in the
 * text's language. A count reads 3, so the preview shows the plural form most texts are read in.
 */
export function previewText(key: string, text: string, locale = 'en'): { html: string; markdown: boolean } {
  let filled: string;
  try {
    const message = compileMessage(text, locale);
    const values: Record<string, string | number> = {};
    for (const [name, kind] of message.args) values[name] = kind === 'number' || name === 'count' ? 3 : SAMPLES[name] ?? `‹${name}›`;
    filled = message.format(values);
  } catch {
    filled = text;
  }
  const markdown = isMarkdownKey(key);
  return { html: markdown ? renderMarkdown(filled) : escapeHtml(filled), markdown };
}

/** Which text, in which language (from the address). */
export interface TextTarget { key: string; locale: string }
export type TextInput = TextTarget & TextValue;

function target(catalogue: Catalogue, input: TextTarget): void {
  if (!catalogue.has(input.key) || !catalogue.locales().includes(input.locale)) throw new NotFound();
}

/**
 * The value an admin typed (not empty, not huge: textSchema), checked: a valid message (braces pair
 * up, a count has its `other` form), and using only the placeholders the shipped text offers (an
 * unknown one would show as `{typo}` to every customer).
 */
export function checkText(catalogue: Catalogue, input: TextInput): string {
  target(catalogue, input);
  const { value } = input;
  let used: string[];
  try {
    used = [...messageArguments(value).keys()];
  } catch (error) {
    if (!(error instanceof MessageSyntaxError)) throw error;
    throw new Invalid({ value: 'admin.texts.errors.syntax' }, 'admin.texts.errors.syntax', { at: String(error.offset + 1) });
  }
  const known = placeholders(catalogue.defaultText(input.key, 'en') ?? '');
  const unoffered = used.filter((p) => !known.includes(p));
  if (unoffered.length > 0) throw new Invalid({ value: 'admin.texts.errors.placeholder' }, 'admin.texts.errors.placeholder', { names: unoffered.map((p) => `{${p}}`).join(', ') });
  return value;
}

/** An admin overrides one text in one language; the caller reloads the catalogue afterwards. */
export async function saveText(db: Db, actor: Actor, catalogue: Catalogue, input: TextInput): Promise<boolean> {
  if (!can(actor, 'texts.manage')) throw new Forbidden();
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
export async function resetText(db: Db, actor: Actor, catalogue: Catalogue, input: TextTarget): Promise<boolean> {
  if (!can(actor, 'texts.manage')) throw new Forbidden();
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
