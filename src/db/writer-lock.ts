// The writer lock of a PostgreSQL desk (issue 18): every write transaction holds one advisory lock,
// so events commit in id order and a count-then-insert sees every earlier write; a late-locking
// transaction (a consumer composing mail) takes it only at its first write. The driver that applies
// it to each statement is db/postgres.ts.
import { AsyncLocalStorage } from 'node:async_hooks';
import { CompiledQuery, sql, type Kysely, type Transaction } from 'kysely';
import { isPostgres } from './dialect.js';
import type { Database } from './schema.js';

/** The advisory lock every write transaction holds (any number; one per desk database). */
export const WRITER_LOCK = 0x6465736b; // "desk"
export const WRITER_LOCK_SQL = `select pg_advisory_xact_lock(${WRITER_LOCK})`;

/**
 * One writer at a time, as on SQLite: every transaction begins by taking a transaction-scoped
 * advisory lock, the counterpart of SQLite's `BEGIN IMMEDIATE` (connect.ts). Across any number of
 * app instances this keeps the guarantees the code is written for: events commit in id order (a
 * consumer reading "after my position" never skips one that commits late), a count-then-insert
 * (rate limits, sign-in pauses, invitation caps) sees every earlier write, and two transactions
 * never wait on each other's rows in opposite order (no deadlocks). Reads outside transactions run
 * in parallel on the pool; single statements outside transactions need no lock.
 *
 * A transaction opened with `lockAtFirstWrite` takes the same lock later: just before its first
 * statement that is not a plain `select` (see `isPlainRead`). It has taken no row lock before
 * then, so it cannot deadlock either; from then on it is an ordinary writer. What it read before
 * is what any reader could read: a decision that must still hold at commit is read again after
 * `takeWriterLock`.
 */
export const lateLock = new AsyncLocalStorage<{ claimed: boolean }>();

/**
 * `db.transaction().execute(run)`, whose writer lock (PostgreSQL) waits for its first write: the
 * reading and the Node work before it do not hold up every other writer. For transactions that
 * read a lot before writing and whose reads decide nothing that must still hold at commit (the
 * notifications consumer composing mail); a count-then-insert in it calls `takeWriterLock` before
 * counting. A `select` of a function that writes is not seen as a write: call `takeWriterLock`
 * first. Any transaction opened inside `run` on another connection is an ordinary one. On SQLite
 * the same as `db.transaction()` (BEGIN IMMEDIATE: one writer, from the start).
 */
export function lockAtFirstWrite<T>(db: Kysely<Database>, run: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  if (!isPostgres(db)) return db.transaction().execute(run);
  return lateLock.run({ claimed: false }, () => db.transaction().execute(run));
}

/**
 * The writer lock now, in a `lockAtFirstWrite` transaction (before a count-then-insert); a no-op in
 * an ordinary transaction, which holds it from the start, and on SQLite.
 */
export async function takeWriterLock(trx: Kysely<Database>): Promise<void> {
  if (!isPostgres(trx)) return;
  if (!trx.isTransaction) throw new Error('takeWriterLock outside a transaction holds nothing');
  await trx.executeQuery(CompiledQuery.raw(WRITER_LOCK_SQL));
}

/** The first key of the per-name transaction locks of `takeNamedLock` (the second: the name's hash). */
const NAMED_LOCK_SPACE = 0x646b; // "dk"

/**
 * A lock of this name until the transaction ends (PostgreSQL; SQLite has one writer, so nothing):
 * two transactions holding it for the same name run one after the other, others are not held up.
 * In a `lockAtFirstWrite` transaction take it before reading what it guards; it is not the writer
 * lock, so take it before the first write (never after), or two transactions could wait on each
 * other.
 */
export async function takeNamedLock(trx: Kysely<Database>, name: string): Promise<void> {
  if (!isPostgres(trx)) return;
  await sql`select pg_advisory_xact_lock(${sql.lit(NAMED_LOCK_SPACE)}, hashtext(${name}))`.execute(trx);
}

/** A statement that takes no row lock and writes nothing (unless it calls a function that does). */
export function isPlainRead(text: string): boolean {
  return /^\s*select\b/i.test(text) && !/\bfor\s+(update|share|no\s+key\s+update|key\s+share)\b/i.test(text);
}

const OWN_ROW_MARK = '/* own row: no writer lock */';

/**
 * Marks a write (`query.modifyEnd(ownRow)`) that a `lockAtFirstWrite` transaction makes without the
 * writer lock: to a row only holders of a `takeNamedLock` it already holds write (a consumer's
 * position). No other writer waits for that row, and nothing is written in the order of events, so
 * it cannot deadlock and needs no place in the writers' line. Any other write still takes the lock.
 */
export const ownRow = sql.raw(OWN_ROW_MARK);

/** Whether a statement may run in a late-locking transaction before it takes the writer lock. */
export function needsNoWriterLock(text: string): boolean {
  return isPlainRead(text) || text.endsWith(OWN_ROW_MARK);
}

/**
 * On PostgreSQL, this transaction's COMMIT does not wait for the WAL to reach the disk (SQLite's
 * commits, at synchronous=NORMAL, never do). For the event consumers: what they write is derived from
 * the event stream, and a crash that loses their last commits moves their positions back with them,
 * so those events are handled again. Any later durable commit (every request's) flushes it too, and
 * a mail job is leased in such a commit before it is sent. Waiting for the disk at every consumer
 * commit held the writer lock, and so every request's write, for ~3.7 ms an fsync on the bench's VM.
 * A plain `select`, so a `lockAtFirstWrite` transaction does not take the writer lock for it.
 */
export async function commitWithoutFlush(trx: Transaction<Database>): Promise<void> {
  if (isPostgres(trx)) await sql`select set_config('synchronous_commit', 'off', true)`.execute(trx);
}
