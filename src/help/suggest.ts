import type { Db } from '../db/connect.js';
import { articleTextHits, helpSearchTerms } from '../search/index.js';
import { articlesOfTexts, type Reader } from './queries.js';
import { articlePath } from './text.js';

export const SUGGESTIONS = 5;

export interface Suggestion { id: number; title: string; locale: string; href: string }

/**
 * Up to five articles the reader may see that share words with what they are typing (a ticket's
 * subject): issue 23, point 4. Any word counts, the best matches first; words of fewer than three
 * letters are left out (they match too much to mean anything).
 */
export async function suggestArticles(db: Db, reader: Reader, typed: string): Promise<Suggestion[]> {
  const terms = helpSearchTerms(typed.slice(0, 200))
    .map((term) => (term.phrase ? term : { ...term, words: term.words.filter((word) => word.length >= 3 || /\d/.test(word)) }))
    .filter((term) => term.words.length > 0);
  if (terms.length === 0) return [];
  const hits = await articleTextHits(db, terms, { any: true });
  const score = new Map(hits.map((hit) => [hit.textId, hit.score]));
  const rows = await articlesOfTexts(db, reader, hits.map((hit) => hit.textId));
  return rows.sort((a, b) => score.get(a.text_id)! - score.get(b.text_id)! || b.id - a.id).slice(0, SUGGESTIONS)
    .map((row) => ({ id: row.id, title: row.title, locale: row.locale, href: `${articlePath(row.id, row.title)}?from=ticket` }));
}
