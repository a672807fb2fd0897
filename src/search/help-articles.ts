import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { isPostgres } from '../db/dialect.js';
import { matchExpression, parseQuery, type Term } from './parse.js';
import { rowidAtLeast } from './agent-hits.js';
import { tsQueryText } from './postgres.js';

// Search in the help center (issue 23, point 3): the articles' language versions (help_article_texts),
// indexed by migration 0040 (FTS5 on SQLite, a stored tsvector on PostgreSQL), read with the same
// parser as ticket search: words, "phrases", the word being typed as a prefix. This file knows only
// the index; which articles a reader may see is the help center's query (help/queries.ts), which
// keeps only the texts found here that it shows.

/** At most this many matches are ranked, the newest texts (a help center holds thousands of articles, not millions). */
export const HELP_SEARCH_WINDOW = 500;

export interface ArticleTextHit {
  /** help_article_texts.id */
  textId: number;
  /** Lower is better (bm25's order; minus ts_rank on PostgreSQL). */
  score: number;
}

/** The terms of a reader's search (no filters: `status:x` is two plain words). */
export function helpSearchTerms(input: string): Term[] {
  return parseQuery(input, { filters: false }).terms;
}

/**
 * The language versions that match, best first (the title counts ten times the text). `any`: a text
 * matching any of the terms (suggestions while a customer types a subject, whose words rarely all
 * appear in one article); otherwise every term must match, as in the search box. `titles`: only
 * the titles are searched.
 */
export async function articleTextHits(db: Db, terms: Term[], { any = false, titles = false, window = HELP_SEARCH_WINDOW } = {}): Promise<ArticleTextHit[]> {
  if (any && terms.length > 1) terms = terms.flatMap((term) => (term.phrase ? [term] : term.words.map((word, i) => ({ words: [word], phrase: false, prefix: term.prefix && i === term.words.length - 1 }))));
  if (isPostgres(db)) {
    // Titles are weight A of the stored words (migration 0040).
    const weights = titles ? 'A' : '';
    const joined = any ? terms.map((term) => tsQueryText([term], weights)).filter((part): part is string => part !== null) : [];
    const text = any ? (joined.length > 0 ? joined.map((part) => `(${part})`).join(' | ') : null) : tsQueryText(terms, weights);
    if (text === null) return [];
    // The same rule as on SQLite: only the newest `window` matching texts are ranked (ts_rank costs
    // ~12 µs a text: 539 texts with "password" or "reset…" took 6.9 ms at 5,000 articles).
    const { rows } = await sql<ArticleTextHit>`select id as "textId", -ts_rank('{0.1, 0.1, 0.1, 1.0}'::real[], search_words, to_tsquery('simple', ${text})) as score
      from (select id, search_words from help_article_texts where search_words @@ to_tsquery('simple', ${text}) order by id desc limit ${window}) newest
      order by score, id desc`.execute(db);
    return rows.map((row) => ({ textId: Number(row.textId), score: Number(row.score) }));
  }
  let expression = any ? (terms.length > 0 ? terms.map((term) => `(${matchExpression([term])})`).join(' OR ') : null) : matchExpression(terms);
  if (expression === null) return [];
  // Titles only: bm25 costs about a microsecond per matching text, and a common word is in the body
  // of a third of a help center's texts but in few titles.
  if (titles) expression = `title : (${expression})`;
  // As in ticket search, a common word never ranks an unbounded match set: bm25 scores only the
  // newest `window` matching texts (HELP_SEARCH_WINDOW unless told), found by reading rowids alone.
  const { rows: [floor] } = await sql<{ id: number }>`select rowid as id from help_search where help_search match ${expression}
    order by rowid desc limit 1 offset ${window - 1}`.execute(db);
  const { rows } = await sql<ArticleTextHit>`select rowid as textId, bm25(help_search, 10.0, 1.0) as score
    from help_search where help_search match ${expression} and rowid >= ${rowidAtLeast(floor?.id ?? 0)}
    order by score, rowid desc limit ${window}`.execute(db);
  return rows;
}
