import { sql, type SqlBool } from 'kysely';
import { untilConfigChanged } from '../db/change-cache.js';
import type { Db } from '../db/connect.js';
import { NotFound } from '../lib/errors.js';
import { localized, parseTexts } from './text.js';

/**
 * Who reads the help center: whether they may see internal articles (staff, policy `help.internal`)
 * and their language. Visitors and customers see published public articles only; nobody sees a
 * draft here (staff preview drafts in the editor).
 */
export interface Reader {
  internal: boolean;
  locale: string;
  /** The brand whose help center is read (access.ts helpBrandOf); null only where every brand's articles are meant. */
  brandId: number | null;
}

/** In brand `brandId`'s help center: shared (null) or the brand's own. The outer query names the category `c` or the article `a`. */
function inBrand(column: 'a.brand_id' | 'c.brand_id', brandId: number) {
  return sql<SqlBool>`(${sql.ref(column)} is null or ${sql.ref(column)} = ${brandId})`;
}

/**
 * Of an article's language versions, the one a reader gets: theirs, else English, else the first
 * written. The outer query names the text it keeps `t`. The subquery is of the text's own article
 * (t.article_id, not a.id): PostgreSQL runs it once per text row then (25 suggested texts), where
 * bound to the article it ran it once per published article to hash them (4,500: 15–20 ms).
 */
export function shownText(locale: string) {
  return sql<SqlBool>`t.id = (select t2.id from help_article_texts t2 where t2.article_id = t.article_id
    order by case when t2.locale = ${locale} then 0 when t2.locale = 'en' then 1 else 2 end, t2.id limit 1)`;
}

/** Published articles the reader may see (their rows alone, without a language version). */
function readableArticles(db: Db, reader: Reader) {
  let query = db.selectFrom('help_articles as a').where('a.state', '=', 'published');
  if (!reader.internal) query = query.where('a.visibility', '=', 'public');
  if (reader.brandId !== null) {
    // The article's own brand, and its category's: an article shared by all brands in a brand's category shows there only.
    query = query.where(inBrand('a.brand_id', reader.brandId)).where((eb) => eb.not(eb.exists(eb.selectFrom('help_sections as s')
      .innerJoin('help_categories as c', 'c.id', 's.category_id').select(eb.lit(1).as('one'))
      .whereRef('s.id', '=', 'a.section_id').where('c.brand_id', 'is not', null).where('c.brand_id', '!=', reader.brandId))));
  }
  return query;
}

/** Published articles the reader may see, each with the language version they get: every list starts here. */
export function visibleArticles(db: Db, reader: Reader) {
  return readableArticles(db, reader).innerJoin('help_article_texts as t', 't.article_id', 'a.id').where(shownText(reader.locale));
}

/**
 * The `limit` most read of the articles the reader may see, chosen before their language versions
 * are joined: PostgreSQL estimated the join through shownText's subquery at one row and so joined
 * every published article (5,000: 30–100 ms at 1M tickets) before sorting, where the most read are
 * a short walk of help_articles_popular.
 */
function mostRead(db: Db, reader: Reader, limit: number, narrow: (q: ReturnType<typeof readableArticles>) => ReturnType<typeof readableArticles> = (q) => q) {
  return narrow(readableArticles(db, reader)).select('a.id').orderBy('a.view_count', 'desc').orderBy('a.id').limit(limit);
}

const LIST_COLUMNS = ['a.id', 'a.section_id', 'a.visibility', 'a.view_count', 'a.updated_at', 't.title', 't.locale'] as const;

export type ArticleListRow = Awaited<ReturnType<typeof popularArticles>>[number];

export function popularArticles(db: Db, reader: Reader, limit = 6) {
  return popularArticlesQuery(db, reader, limit).execute();
}

/** popularArticles' statement (its plan is tested). */
export function popularArticlesQuery(db: Db, reader: Reader, limit = 6) {
  return visibleArticles(db, reader).select(LIST_COLUMNS).where('a.id', 'in', mostRead(db, reader, limit))
    .orderBy('a.view_count', 'desc').orderBy('a.id').limit(limit);
}

/** The articles of some sections, in their order. */
export function sectionArticles(db: Db, reader: Reader, sectionIds: readonly number[]) {
  if (sectionIds.length === 0) return Promise.resolve([]);
  return visibleArticles(db, reader).select(LIST_COLUMNS).where('a.section_id', 'in', [...sectionIds])
    .orderBy('a.position').orderBy('t.title').orderBy('a.id').limit(1000).execute();
}

/** Other articles of the same section, most read first. */
export function relatedArticles(db: Db, reader: Reader, article: { id: number; section_id: number }, limit = 5) {
  const related = mostRead(db, reader, limit, (q) => q.where('a.section_id', '=', article.section_id).where('a.id', '!=', article.id));
  return visibleArticles(db, reader).select(LIST_COLUMNS).where('a.id', 'in', related)
    .orderBy('a.view_count', 'desc').orderBy('a.id').limit(limit).execute();
}

/** The visible articles among some language versions (search hits), with their text for excerpts. */
export function articlesOfTexts(db: Db, reader: Reader, textIds: readonly number[]) {
  if (textIds.length === 0) return Promise.resolve([]);
  return ofTexts(db, reader, textIds).select('t.body_text').execute();
}

/** As articlesOfTexts, without the texts' bodies (a suggestion shows the title only). */
export function titlesOfTexts(db: Db, reader: Reader, textIds: readonly number[]) {
  if (textIds.length === 0) return Promise.resolve([]);
  return ofTexts(db, reader, textIds).execute();
}

/** The visible articles among some language versions (search hits), without bodies: titlesOfTexts' statement (its plan is tested). */
export const ofTexts = (db: Db, reader: Reader, textIds: readonly number[]) =>
  visibleArticles(db, reader).select([...LIST_COLUMNS, 't.id as text_id']).where('t.id', 'in', [...textIds]);

/** One article as the reader may see it, or NotFound (a draft, an internal one for a customer, none). */
export async function readArticle(db: Db, reader: Reader, id: number) {
  const article = await visibleArticles(db, reader).select([...LIST_COLUMNS, 'a.helpful_yes', 'a.helpful_no', 't.body_html', 'a.published_at'])
    .where('a.id', '=', id).executeTakeFirst();
  if (!article) throw new NotFound();
  return article;
}

export interface TreeSection { id: number; category_id: number; position: number; name: string; description: string; locale: string }
export interface TreeCategory { id: number; position: number; brand_id: number | null; name: string; description: string; locale: string; sections: TreeSection[] }

/** Every category of the brand's help center (all of them for `null`) with its sections, named in the reader's language (with the fallback), in order. */
export async function categoryTree(db: Db, locale: string, brandId: number | null): Promise<TreeCategory[]> {
  let categoryQuery = db.selectFrom('help_categories as c').select(['c.id', 'c.position', 'c.brand_id', 'c.texts']).orderBy('c.position').orderBy('c.id');
  if (brandId !== null) categoryQuery = categoryQuery.where(inBrand('c.brand_id', brandId));
  const [categories, sections] = await Promise.all([
    categoryQuery.execute(),
    db.selectFrom('help_sections').select(['id', 'category_id', 'position', 'texts']).orderBy('position').orderBy('id').execute(),
  ]);
  return categories.map((category) => ({
    id: category.id, position: category.position, brand_id: category.brand_id, ...localized(parseTexts(category.texts), locale),
    sections: sections.filter((s) => s.category_id === category.id)
      .map((s) => ({ id: s.id, category_id: s.category_id, position: s.position, ...localized(parseTexts(s.texts), locale) })),
  }));
}

export async function findCategory(db: Db, id: number) {
  const row = await db.selectFrom('help_categories').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFound();
  return row;
}

export async function findSection(db: Db, id: number) {
  const row = await db.selectFrom('help_sections').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFound();
  return row;
}

/** Every brand's host name, and the default brand first: remembered until the configuration changes (read on every help page). */
const helpBrands = untilConfigChanged((db: Db, _: '') => db.selectFrom('brands').select(['id', 'name', 'portal_title', 'host'])
  .orderBy('is_default', 'desc').orderBy('id').execute(), 1);

/** The brand answering on a host name, else the default brand (one desk always has one). */
export async function brandOfHost(db: Db, host: string) {
  const brands = await helpBrands(db, '');
  const name = host.toLowerCase();
  const brand = brands.find((b) => b.host !== null && b.host === name) ?? brands[0];
  if (!brand) throw new Error('the desk has no brand');
  return brand;
}

/** The public articles of a brand's help center for its sitemap (never internal ones, whoever asks), in English's order. */
export function sitemapArticles(db: Db, brandId: number) {
  return visibleArticles(db, { internal: false, locale: 'en', brandId }).select(['a.id', 't.title', 'a.updated_at']).orderBy('a.id').limit(50_000).execute();
}

/** The Markdown an agent inserts into a reply: the public article's text in the language asked for (or the fallback). */
export async function articleSource(db: Db, id: number, locale: string, brandId: number) {
  const row = await visibleArticles(db, { internal: false, locale, brandId }).select(['a.id', 't.title', 't.body']).where('a.id', '=', id).executeTakeFirst();
  if (!row) throw new NotFound();
  return row;
}
