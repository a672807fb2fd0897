import type { Db } from '../db/connect.js';
import { articleTextHits, helpSearchTerms, type ArticleTextHit } from '../search/index.js';
import { titlesOfTexts, type Reader } from './queries.js';
import { articlePath } from './text.js';

export const SUGGESTIONS = 5;
/** Hits looked up at a time (most are readable: one slice is nearly always enough). */
const SLICE = 25;
/** Five suggestions come from the best of this many newest matching texts (each keystroke ranks them). */
const SUGGESTION_WINDOW = 100;

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
  // Titles first: the articles named for what the customer types are the ones to suggest, and
  // ranking only the titles that match is several times cheaper than every text with a common word.
  // The whole texts only when the titles give fewer than five readable articles.
  const titled = await readableHits(db, reader, await articleTextHits(db, terms, { any: true, titles: true, window: SUGGESTION_WINDOW }));
  const found = titled.rows.length >= SUGGESTIONS ? titled : await readableHits(db, reader, await articleTextHits(db, terms, { any: true, window: SUGGESTION_WINDOW }));
  return found.rows.sort((a, b) => found.score.get(a.text_id)! - found.score.get(b.text_id)! || b.id - a.id).slice(0, SUGGESTIONS)
    .map((row) => ({ id: row.id, title: row.title, locale: row.locale, href: `${articlePath(row.id, row.title)}?from=ticket` }));
}

/** The readable articles among the hits, enough of the best of them for five suggestions, and the hits' scores. */
async function readableHits(db: Db, reader: Reader, hits: ArticleTextHit[]) {
  const score = new Map(hits.map((hit) => [hit.textId, hit.score]));
  // The hits come best first: look up the readable ones a slice at a time and stop once five are
  // found (a common word matches a third of 5,000 articles). A slice ends between two different
  // scores, so whatever is left unread ranks below everything read.
  const rows: Awaited<ReturnType<typeof titlesOfTexts>> = [];
  for (let from = 0; from < hits.length && rows.length < SUGGESTIONS;) {
    let to = Math.min(hits.length, from + SLICE);
    while (to < hits.length && hits[to]!.score === hits[to - 1]!.score) to++;
    rows.push(...await titlesOfTexts(db, reader, hits.slice(from, to).map((hit) => hit.textId)));
    from = to;
  }
  return { rows, score };
}
