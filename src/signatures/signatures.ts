import type { Db } from '../db/connect.js';
import { Forbidden } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { renderMarkdown } from '../messages/markdown.js';
import { can } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import type { SignaturesInput } from './schemas.js';

/**
 * Signatures (issue 20, point 5). A staff member's Markdown signature, with an override per brand, is
 * added to their public messages (replies and service updates, never internal notes) when they are
 * posted: it becomes part of the stored message, after the RFC 3676 delimiter line `-- `, so the
 * thread and the mail show what the customer got, and editing the signature later rewrites nothing.
 */

/** What a signature may say besides text; anything else in `{{ }}` is refused when it is saved. */
export const SIGNATURE_PLACEHOLDERS = ['agent.name', 'agent.first_name', 'agent.email', 'brand.name'] as const;
export const SIGNATURE_MAX = 2000;
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The placeholders a text uses that signatures do not know. */
export function unknownPlaceholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((name) => !(SIGNATURE_PLACEHOLDERS as readonly string[]).includes(name));
}

/**
 * A value put into Markdown as literal text: what would format it inline (emphasis, code, links,
 * entities, raw HTML shown as text anyway) is escaped, and a leading list or heading marker, so a
 * name stays a name; the rest (dots, dashes, @) stays as it is, as the text part of a mail shows it.
 */
export function literal(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').replace(/[\\`*_{}[\]<>~&|]/g, (c) => `\\${c}`).replace(/^[#+\->]/, '\\$&').replace(/^(\d+)([.)])/, '$1\\$2');
}

export interface SignatureSubject {
  agent: { name: string; email: string };
  brand: { name: string };
}

/** The signature with its placeholders filled in (as literal text, never as Markdown). */
export function fillSignature(text: string, subject: SignatureSubject): string {
  const values: Record<string, string> = {
    'agent.name': subject.agent.name,
    'agent.first_name': subject.agent.name.trim().split(/\s+/)[0] ?? '',
    'agent.email': subject.agent.email,
    'brand.name': subject.brand.name,
  };
  return text.replace(PLACEHOLDER, (whole, name: string) => (name in values ? literal(values[name]!) : whole));
}

/** The signature a person signs with on a brand's tickets: the brand's own, else their general one ('' = none). */
export async function signatureFor(db: Db, userId: number, brandId: number): Promise<string> {
  const own = await db.selectFrom('signatures').select('body').where('user_id', '=', userId).where('brand_id', '=', brandId).executeTakeFirst();
  if (own) return own.body;
  const user = await db.selectFrom('users').select('signature').where('id', '=', userId).executeTakeFirst();
  return user?.signature ?? '';
}

/** What is appended to a message's Markdown and, for a mail's own HTML, to its HTML. */
export interface SignatureBlock { text: string; html: string }

/**
 * The block a public message by this person on this ticket's brand gets, or null when they have no
 * signature. The delimiter `-- ` is its own line, so mail clients and our own mail-in strip it from
 * quoted answers.
 */
export async function signatureBlock(db: Db, actor: Actor, ticket: { brand_id: number }): Promise<SignatureBlock | null> {
  if (!can(actor, 'profile.signature')) return null;
  const body = (await signatureFor(db, actor.id, ticket.brand_id)).trim();
  if (!body) return null;
  const brand = await db.selectFrom('brands').select('name').where('id', '=', ticket.brand_id).executeTakeFirst();
  const filled = fillSignature(body, { agent: { name: actor.name, email: actor.email }, brand: { name: brand?.name ?? '' } });
  return { text: `\n\n-- \n${filled}`, html: `<div class="signature">${renderMarkdown(`-- \n${filled}`)}</div>` };
}

/** The signature form's values as stored: `signature`, and `brand_<id>` per brand ('' = the general one). */
export async function signatureValues(db: Db, actor: Actor): Promise<Record<string, string>> {
  const user = await db.selectFrom('users').select('signature').where('id', '=', actor.id).executeTakeFirstOrThrow();
  const own = await db.selectFrom('signatures').select(['brand_id', 'body']).where('user_id', '=', actor.id).execute();
  return { signature: user.signature, ...Object.fromEntries(own.map((row) => [`brand_${row.brand_id}`, row.body])) };
}

/** The brands a signature may be set for, by name. */
export function signatureBrands(db: Db) {
  return db.selectFrom('brands').select(['id', 'name', 'is_default']).orderBy('name').execute();
}

/** What a signature looks like in a message, placeholders filled for the person and the brand (the form's preview). */
export function previewSignature(text: string, actor: Actor, brandName: string): string {
  const filled = fillSignature(text.trim(), { agent: { name: actor.name, email: actor.email }, brand: { name: brandName } });
  return filled ? renderMarkdown(`-- \n${filled}`) : '';
}

/** The person's own signatures: the general one, and per brand an override (blank removes it). */
export async function saveSignatures(db: Db, actor: Actor, input: SignaturesInput): Promise<void> {
  if (!can(actor, 'profile.signature')) throw new Forbidden();
  const now = nowIso();
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ signature: input.signature, updated_at: now }).where('id', '=', actor.id).execute();
    for (const [brandId, body] of input.brands) {
      if (!body) {
        await trx.deleteFrom('signatures').where('user_id', '=', actor.id).where('brand_id', '=', brandId).execute();
        continue;
      }
      await trx.insertInto('signatures').values({ user_id: actor.id, brand_id: brandId, body, updated_at: now })
        .onConflict((oc) => oc.columns(['user_id', 'brand_id']).doUpdateSet({ body, updated_at: now })).execute();
    }
  });
}
