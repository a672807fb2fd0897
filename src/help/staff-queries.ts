import { sql, type SqlBool } from 'kysely';
import type { Db } from '../db/connect.js';
import { NotFound } from '../lib/errors.js';
import { allowedLabels } from '../attachments/sniff.js';
import { imagePolicy } from './images.js';
import { shownText } from './queries.js';
import { VISIBILITIES } from './schemas.js';
import { HELP_LOCALES, localized, parseTexts } from './text.js';

/** The staff list's filters (from its query string; anything else is ignored). */
export interface StaffListFilters {
  state: 'draft' | 'published' | null;
  visibility: 'public' | 'internal' | null;
  /** Not updated for this many months. */
  staleMonths: number | null;
  /** More "No" than "Yes" answers (at least three answers). */
  unhelpful: boolean;
}

export function readStaffFilters(query: Record<string, unknown>): StaffListFilters {
  const state = query.state === 'draft' || query.state === 'published' ? query.state : null;
  const visibility = query.visibility === 'public' || query.visibility === 'internal' ? query.visibility : null;
  const months = typeof query.stale === 'string' && /^\d{1,3}$/.test(query.stale) && Number(query.stale) > 0 ? Number(query.stale) : null;
  return { state, visibility, staleMonths: months, unhelpful: query.unhelpful === '1' };
}

/** Every article for staff (drafts and internal ones too), with its title in the staff member's language or the fallback. */
export async function listArticlesForStaff(db: Db, locale: string, filters: StaffListFilters) {
  let query = db.selectFrom('help_articles as a').innerJoin('help_article_texts as t', 't.article_id', 'a.id')
    .innerJoin('help_sections as s', 's.id', 'a.section_id')
    .leftJoin('brands as b', 'b.id', 'a.brand_id')
    .where(shownText(locale))
    .select(['a.id', 'a.state', 'a.visibility', 'a.view_count', 'a.helpful_yes', 'a.helpful_no', 'a.deflection_count', 'a.updated_at', 't.title', 's.id as section_id', 's.texts as section_texts', 'b.name as brand_name'])
    .select((eb) => eb.selectFrom('help_article_texts as t3').select(sql<string>`count(*)`.as('n')).whereRef('t3.article_id', '=', 'a.id').as('languages'));
  if (filters.state) query = query.where('a.state', '=', filters.state);
  if (filters.visibility) query = query.where('a.visibility', '=', filters.visibility);
  if (filters.staleMonths) {
    const before = new Date(Date.now() - filters.staleMonths * 30 * 24 * 3600_000).toISOString();
    query = query.where('a.updated_at', '<', before);
  }
  if (filters.unhelpful) query = query.where(sql<SqlBool>`a.helpful_no > a.helpful_yes and a.helpful_no + a.helpful_yes >= 3`);
  return query.orderBy('a.updated_at', 'desc').orderBy('a.id', 'desc').limit(500).execute();
}

/** An article for its editor: the row, every language version, and the revisions of one language. */
export async function articleForEditor(db: Db, id: number, locale: string) {
  const article = await db.selectFrom('help_articles').selectAll().where('id', '=', id).executeTakeFirst();
  if (!article) throw new NotFound();
  const texts = await db.selectFrom('help_article_texts').selectAll().where('article_id', '=', id).execute();
  const revisions = await db.selectFrom('help_revisions as r').leftJoin('users as u', 'u.id', 'r.author_id')
    .select(['r.id', 'r.locale', 'r.title', 'r.created_at', 'r.restored_from', 'u.name as author_name'])
    .where('r.article_id', '=', id).where('r.locale', '=', locale).orderBy('r.id', 'desc').limit(100).execute();
  const byLocale = Object.fromEntries(texts.map((text) => [text.locale, text]));
  return { article, texts: byLocale, languages: HELP_LOCALES.filter((l) => byLocale[l]), revisions };
}

export async function findRevision(db: Db, id: number) {
  const revision = await db.selectFrom('help_revisions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!revision) throw new NotFound();
  return revision;
}

/** The sections to choose from in the editor: "Category › Section". */
export async function sectionChoices(db: Db) {
  return db.selectFrom('help_sections as s').innerJoin('help_categories as c', 'c.id', 's.category_id')
    .select(['s.id', 's.texts', 'c.texts as category_texts']).orderBy('c.position').orderBy('c.id').orderBy('s.position').orderBy('s.id').execute();
}

/** The brands a category or an article may belong to (the forms offer "every brand" besides). */
export function brandChoices(db: Db) {
  return db.selectFrom('brands').select(['id', 'name']).orderBy('name').execute();
}

/** What the article editor offers: the sections ("Category › Section" in the staff member's language), brands, visibilities, languages. */
export async function editorChoices(db: Db, locale: string) {
  const sections = (await sectionChoices(db)).map((s) => ({
    id: s.id, label: `${localized(parseTexts(s.category_texts), locale).name} › ${localized(parseTexts(s.texts), locale).name}`,
  }));
  const images = await imagePolicy(db);
  const imageLimits = { types: allowedLabels(images, locale), maxBytes: images.maxTotalBytes };
  return { sections, brands: await brandChoices(db), visibilities: VISIBILITIES, locales: HELP_LOCALES, imageLimits };
}
