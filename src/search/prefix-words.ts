import { sql } from 'kysely';
import { untilChanged } from '../db/change-cache.js';
import type { Db } from '../db/connect.js';
import { matchExpression, type Term } from './parse.js';

// FTS5 answers a prefix (`password*`) by merging the match lists of every word it starts before the
// first row, whatever the rowid range asked for: 5 ms at 100k tickets, 55 ms at 1M for "password",
// on every walk of it. The same words spelt out (`"password" OR "passwords"`) are walked lazily
// newest first like any word. So the walk of a common word asks the index which words the prefix
// stands for (fts5vocab), remembered until the database changes.

type Index = 'search_tickets' | 'search_messages' | 'search_portal';

/** More words than this under one prefix: it is searched as a prefix after all. */
const MOST_WORDS = 16;
/** Only plain lower-case letters and digits are spelt out: they compare in the index exactly as typed. */
const PLAIN = /^[a-z0-9]+$/;

/**
 * The words stay good for this long across writes: reading them costs ~44 ms at 1M tickets (the
 * vocabulary counts each word's rows), which a desk being written to would otherwise pay on every
 * search. A word first written in that time is found by its prefix seconds later (at once when the
 * prefix started no word before: that answer is never taken from the grace).
 */
const WORDS_GRACE_MS = 10_000;

/** The connections whose temp schema holds the vocabulary tables (fts5vocab stores nothing of its own). */
const withVocabulary = new WeakSet<Db>();

async function vocabulary(db: Db, index: Index) {
  if (!withVocabulary.has(db)) {
    for (const name of ['search_tickets', 'search_messages', 'search_portal']) {
      await sql`create virtual table if not exists temp.${sql.raw(`${name}_vocab`)} using fts5vocab(main, ${sql.raw(name)}, row)`.execute(db);
    }
    withVocabulary.add(db);
  }
  return sql.raw(`temp.${index}_vocab`);
}

/** The index's words that start with the prefix (`index:prefix`), or null when there are more than MOST_WORDS. */
async function readWords(db: Db, key: string): Promise<string[] | null> {
  const [index, prefix] = key.split(':') as [Index, string];
  const next = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  const { rows } = await sql<{ term: string }>`select term from ${await vocabulary(db, index)}
    where term >= ${prefix} and term < ${next} limit ${MOST_WORDS + 1}`.execute(db);
  return rows.length > MOST_WORDS ? null : rows.map((row) => row.term);
}
const wordsStarting = untilChanged(readWords, 200, WORDS_GRACE_MS);
/** For a prefix that started no word a moment ago: whether one does now (never answered from the grace). */
const wordsStartingNow = untilChanged(readWords, 200);

/**
 * matchExpression for one index (SQLite), each plain one-word prefix spelt out as the words it
 * stands for in that index. Null: the prefix starts no word there, so nothing matches.
 */
export async function spelledMatch(db: Db, index: Index, terms: Term[], columns: string[] = []): Promise<string | null> {
  const parts: string[] = [];
  for (const term of terms) {
    const word = term.words[0]!;
    const key = `${index}:${word}`;
    let spelled = term.prefix && term.words.length === 1 && PLAIN.test(word) ? await wordsStarting(db, key) : null;
    if (spelled?.length === 0) spelled = await wordsStartingNow(db, key);
    if (spelled === null) parts.push(matchExpression([term])!);
    else if (spelled.length === 0) return null;
    else parts.push(`(${spelled.map((w) => `"${w}"`).join(' OR ')})`);
  }
  const expression = parts.join(' AND ');
  return columns.length > 0 ? `{${columns.join(' ')}} : (${expression})` : expression;
}
