import * as z from 'zod';
import type { Db } from '../db/connect.js';
import type { FieldErrors } from '../lib/errors.js';
import { choice, id, longText, maybeId, readForm, text, type Checked } from '../lib/form.js';
import { HELP_LOCALES, type HelpLocale, type LocalizedTexts } from './text.js';

export const VISIBILITIES = ['public', 'internal'] as const;
export type Visibility = (typeof VISIBILITIES)[number];
export const ARTICLE_BODY_MAX = 100_000;

/** The article editor: where it goes, who reads it, and its text in one language. */
export const articleSchema = z.object({
  sectionId: id(),
  /** The brand whose help center shows it; null (blank): every brand's. */
  brandId: maybeId(),
  visibility: choice(VISIBILITIES),
  locale: choice(HELP_LOCALES),
  title: text({ max: 200 }),
  body: longText({ max: ARTICLE_BODY_MAX }),
});
export type ArticleInput = z.output<typeof articleSchema>;

export function readArticleForm(body: unknown): Checked<ArticleInput> {
  return readForm(articleSchema, body);
}

/** Publish or take back to draft. */
export const publicationSchema = z.object({ state: choice(['published', 'draft'] as const, { blank: null }) });

/** "Was this helpful?" */
export const voteSchema = z.object({ helpful: choice(['yes', 'no'] as const, { blank: null }) });

const position = text({ required: false, max: 5, format: { pattern: /^\d{1,4}$/, error: 'help.errors.position' } });
type NameField = `name_${HelpLocale}` | `description_${HelpLocale}`;
const nameFields = Object.fromEntries(HELP_LOCALES.flatMap((l): [NameField, z.ZodType<string, unknown>][] => [
  [`name_${l}`, text({ required: false, max: 120 })],
  [`description_${l}`, longText({ required: false, max: 1000 })],
])) as Record<NameField, z.ZodType<string, unknown>>;

/** A category: its names and descriptions per language (one name at least, the verb says), its place, its brand (null: every brand's). */
export const categorySchema = z.object({ position, brandId: maybeId(), ...nameFields });
/** A section: the same, and its category. */
export const sectionSchema = z.object({ categoryId: id(), position, ...nameFields });

export interface TreeNodeInput { position: number; texts: LocalizedTexts; brandId?: number | null }

/** The names typed per language (a language with no name is left out) and the position (0 when empty). */
export function treeNodeInput(value: Partial<Record<NameField | 'position', string>>): TreeNodeInput {
  const texts: LocalizedTexts = {};
  for (const l of HELP_LOCALES) {
    const name = value[`name_${l}`] ?? '';
    if (name) texts[l] = { name, description: value[`description_${l}`] ?? '' };
  }
  return { position: value.position ? Number(value.position) : 0, texts };
}

/** A brand chosen in a form: an existing brand, else a field mistake; null (every brand) stays null. */
export async function checkBrandChoice(db: Db, brandId: number | null | undefined, errors: FieldErrors): Promise<void> {
  if (brandId && !(await db.selectFrom('brands').select('id').where('id', '=', brandId).executeTakeFirst())) errors.brandId ??= 'errors.choice';
}

/** The form's fields from stored texts (for the edit forms). */
export function treeNodeValues(position: number, texts: LocalizedTexts): Record<string, string> {
  const values: Record<string, string> = { position: String(position) };
  for (const l of HELP_LOCALES) {
    values[`name_${l}`] = texts[l]?.name ?? '';
    values[`description_${l}`] = texts[l]?.description ?? '';
  }
  return values;
}
