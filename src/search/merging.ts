import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { DOCUMENTS_PER_STEP, writeStaleDocuments } from './portal-documents.js';

/**
 * FTS5 merges an index's segments inside the write that makes one too many (`automerge`, and at 16
 * segments on a level `crisismerge`, a merge done at once). On a large index that merge reaches the
 * large segments sooner or later: at 1M tickets (5M messages) one portal create in a few hundred
 * took 4–6 s, which every write queued behind it waited for (the writes' p99 in the bench). So a
 * serving desk turns automerge off, raises crisismerge to 64, and merges a bounded amount at
 * a time itself, between requests: each step writes about MERGE_PAGES pages, and FTS5 carries an
 * unfinished merge over to the next step. Segments must still be merged: each one costs every search
 * a little.
 */
const INDEXES = ['search_messages', 'search_tickets', 'search_portal', 'help_search'] as const;
/**
 * Pages one step may write, per index, and how often a step runs while the desk is written to. The
 * steps must keep up with the segments the writes make (one per write transaction and index): when
 * they fall behind, a level reaches CRISIS_SEGMENTS and the write that makes one too many merges it
 * at once, finishing any merge in progress on the levels above. At 1M tickets that is the demo's one
 * large segment: measured in-process (20,000 single-row writes to the messages' index, a step every
 * N writes), 16 pages every 200 writes — what 0.5 s steps give at the bench's ~400 creates/s — made
 * one write wait 12.8–16.4 s; 4 pages every 25–50 writes held none past 56 ms but one (412 ms, on a
 * busy machine).
 * A step itself is bounded by whole doclists (a common word's), not pages: steps over the large
 * segment take up to a few hundred milliseconds (docs/benchmarks.md, 2026-12-07).
 */
export const MERGE_PAGES = 4;
export const MERGE_EVERY_MS = 100;
/** Never a merge at once inside a write (FTS5 allows up to 64 segments a level before it must). */
const CRISIS_SEGMENTS = 64;

/** Set one of an FTS5 index's options (stored in its configuration). */
export async function setIndexOption(db: Db, index: string, option: 'automerge' | 'crisismerge' | 'hashsize', value: number): Promise<void> {
  // sql.lit: FTS5 takes these only as integers, and a bound JS number arrives as a real.
  await sql`insert into ${sql.table(index)}(${sql.table(index)}, rank) values (${option}, ${sql.lit(Math.trunc(value))})`.execute(db);
}

/** Turn FTS5's merges inside writes off (stored in each index's configuration, so once is enough; repeated at each start). */
export async function takeOverMerging(db: Db): Promise<void> {
  for (const index of INDEXES) {
    await setIndexOption(db, index, 'automerge', 0);
    await setIndexOption(db, index, 'crisismerge', CRISIS_SEGMENTS);
  }
}

/** One bounded step of merging for each index (FTS5's `merge` command with a positive page count: levels with at least `usermerge` segments). */
export async function mergeStep(db: Db, pages = MERGE_PAGES): Promise<void> {
  for (const index of INDEXES) {
    await sql`insert into ${sql.table(index)}(${sql.table(index)}, rank) values ('merge', ${sql.lit(pages)})`.execute(db);
  }
}

export interface SearchMerging { stop(): void }

/** The rows this connection has written so far (SQLite's total_changes()). */
async function changes(db: Db): Promise<number> {
  return Number((await sql<{ n: number }>`select total_changes() as n`.execute(db)).rows[0]!.n);
}

/**
 * On SQLite: a step every `everyMs` while the desk has been written to since the last one (the
 * connection's total changes: an idle desk is left alone, and its caches are not emptied): the
 * portal's out-of-date documents written, then each index's merge step.
 */
export async function startSearchMerging(db: Db, log: { warn: (obj: object, msg: string) => void }, everyMs = MERGE_EVERY_MS): Promise<SearchMerging> {
  await takeOverMerging(db);
  // -1: the first step looks whatever the changes, for documents writes before this start left out of date.
  let seen = -1;
  let running = false;
  const step = async () => {
    if (await changes(db) === seen) return;
    // The portal's out-of-date documents first (portal-documents.ts): they make segments to merge.
    const written = await writeStaleDocuments(db);
    await mergeStep(db);
    // A full batch may have left more: the next step looks again.
    seen = written === DOCUMENTS_PER_STEP ? -1 : await changes(db);
  };
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    step().catch((error: unknown) => log.warn({ err: error }, 'a search index merge step failed')).finally(() => { running = false; });
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
