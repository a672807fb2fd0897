import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { localDayStart } from '../dashboard/days.js';
import type { DayRange } from './queries.js';

/** How many articles the report's help center table lists. */
export const TOP_ARTICLES = 10;

export interface ArticleActivity { id: number; title: string; deflections: number; yes: number; no: number }
export interface HelpActivity { deflections: number; yes: number; no: number; articles: ArticleActivity[] }

/**
 * The help center in a report's range (issue 23, point 4): "This answered my question" (a ticket not
 * needed) and "Was this helpful?" answers given or changed in the range, for the whole desk (articles
 * are nobody's tickets), with the articles that had the most. Read from the help center's own rows.
 */
export async function helpActivity(db: Db, range: DayRange, timeZone: string, locale: string): Promise<HelpActivity> {
  const from = localDayStart(timeZone, range.from);
  const to = localDayStart(timeZone, range.to, 1);
  const [deflected, voted] = await Promise.all([
    db.selectFrom('help_deflections').select(['article_id', sql<number>`count(*)`.as('n')])
      .where('created_at', '>=', from).where('created_at', '<', to).groupBy('article_id').execute(),
    db.selectFrom('help_votes').select(['article_id', sql<number>`sum(helpful)`.as('yes'), sql<number>`sum(1 - helpful)`.as('no')])
      .where('created_at', '>=', from).where('created_at', '<', to).groupBy('article_id').execute(),
  ]);
  const byId = new Map<number, ArticleActivity>();
  const entry = (id: number) => byId.get(id) ?? byId.set(id, { id, title: '', deflections: 0, yes: 0, no: 0 }).get(id)!;
  for (const row of deflected) entry(row.article_id).deflections = Number(row.n);
  for (const row of voted) Object.assign(entry(row.article_id), { yes: Number(row.yes), no: Number(row.no) });
  const all = [...byId.values()];
  const top = all.sort((a, b) => b.deflections - a.deflections || b.yes + b.no - (a.yes + a.no) || a.id - b.id).slice(0, TOP_ARTICLES);
  const titles = await articleTitles(db, top.map((a) => a.id), locale);
  return {
    deflections: all.reduce((sum, a) => sum + a.deflections, 0),
    yes: all.reduce((sum, a) => sum + a.yes, 0),
    no: all.reduce((sum, a) => sum + a.no, 0),
    articles: top.map((a) => ({ ...a, title: titles.get(a.id) ?? `#${a.id}` })),
  };
}

/** Each article's title in the reader's language, else English, else the first written. */
async function articleTitles(db: Db, ids: number[], locale: string): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('help_article_texts').select(['article_id', 'locale', 'title']).where('article_id', 'in', ids).orderBy('id').execute();
  const rank = (l: string) => (l === locale ? 0 : l === 'en' ? 1 : 2);
  const best = new Map<number, { locale: string; title: string }>();
  for (const row of rows) {
    const seen = best.get(row.article_id);
    if (!seen || rank(row.locale) < rank(seen.locale)) best.set(row.article_id, row);
  }
  return new Map([...best].map(([id, row]) => [id, row.title]));
}
