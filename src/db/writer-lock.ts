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
export const lateLock = new AsyncLocalStorage<LateLock>();

/** A `lockAtFirstWrite` transaction's state: begun (`claimed`), and holding the writer lock yet (`locked`). */
export interface LateLock {
  claimed: boolean;
  locked: boolean;
}

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
  return lateLock.run({ claimed: false, locked: false }, () => db.transaction().execute(run));
}

/**
 * Whether the `lockAtFirstWrite` transaction this runs in has taken the writer lock by now (false
 * outside one, and on SQLite, where such a transaction holds it from its start): from then on every
 * other writer waits for its commit, so it should read and render no more than it must.
 */
export function tookLateWriterLock(): boolean {
  return lateLock.getStore()?.locked === true;
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
 * The statement of `commitWithoutFlush`. The driver (db/postgres.ts) answers it itself: every
 * transaction there already commits without waiting for the disk (see `FLUSH_SQL`), so all it asks
 * is that no flush follow this one.
 */
export const NO_FLUSH_SQL = "select set_config('synchronous_commit', 'off', true)";

/**
 * On PostgreSQL, this transaction's commit is not followed by a wait for the WAL to reach the disk
 * (SQLite's commits, at synchronous=NORMAL, never wait). For the event consumers: what they write is
 * derived from the event stream, and a crash that loses their last commits moves their positions
 * back with them, so those events are handled again. Any later durable commit (every request's)
 * flushes it too, and a mail job is leased in such a commit before it is sent.
 */
export async function commitWithoutFlush(trx: Transaction<Database>): Promise<void> {
  if (isPostgres(trx)) await trx.executeQuery(CompiledQuery.raw(NO_FLUSH_SQL));
}

/**
 * What makes a commit durable on PostgreSQL, sent by the driver right behind the COMMIT (in its
 * round trip), so outside the writer lock. A writer's COMMIT runs with `synchronous_commit = off`
 * (set at BEGIN): it makes the transaction visible and ends it, releasing the writer lock, without
 * waiting for the WAL flush (~3.7 ms an fsync on the bench's VM), which, inside the lock, made every
 * write of the desk wait for every earlier one's disk. This then waits for that flush before the caller goes on: a tiny
 * transaction that writes a WAL record (a logical-decoding message, which nothing reads unless a
 * decoding client asks for messages) commits at the session's own `synchronous_commit`, and its
 * commit is flushed (and replicated, with synchronous standbys) only with everything before it in
 * the WAL, the writer's commit included. Writers waiting at once share one fsync. When nothing is
 * left to flush (another commit flushed it meanwhile) it writes nothing and waits for nothing.
 *
 * So the caller learns of its commit no earlier than before, and no less durable; what changes is
 * that other connections can see a commit for the few milliseconds its flush takes, as they see a
 * consumer's. A crash in those milliseconds loses it, together with everything that came after it
 * in the WAL (what anyone wrote on seeing it included), and its own caller got no answer yet.
 */
export const FLUSH_SQL = `begin; select pg_logical_emit_message(true, 'deskbell', 'flush') where pg_current_wal_flush_lsn() < pg_current_wal_insert_lsn(); commit`;
