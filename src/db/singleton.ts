import { sql } from 'kysely';
import type { Db } from './connect.js';
import { isPostgres } from './dialect.js';

/** The first key of every singleton's advisory lock (the second is the hash of its name). */
const SINGLETON_SPACE = 0x6462; // "db"

export type SingletonOutcome<T> = { ran: true; value: T } | { ran: false };

/**
 * Run `work` unless another instance is running the same singleton right now (IMAP polling: two
 * instances fetching one mailbox would race for each message). On PostgreSQL a session advisory lock,
 * tried (never waited for) on one pooled connection held for the duration; the work itself uses the
 * pool as usual. SQLite has one process, whose callers never overlap themselves, so it always runs.
 */
export async function asSingleton<T>(db: Db, name: string, work: () => Promise<T>): Promise<SingletonOutcome<T>> {
  if (!isPostgres(db)) return { ran: true, value: await work() };
  return db.connection().execute(async (connection) => {
    const { rows } = await sql<{ got: number }>`select pg_try_advisory_lock(${SINGLETON_SPACE}, hashtext(${name})) as got`.execute(connection);
    if (rows[0]?.got !== 1) return { ran: false };
    try {
      return { ran: true, value: await work() };
    } finally {
      await sql`select pg_advisory_unlock(${SINGLETON_SPACE}, hashtext(${name}))`.execute(connection);
    }
  });
}

/** The lock `asSingleton(db, name, …)` takes, for a test (or an operator's psql) to hold it from outside. */
export function singletonLockSql(name: string): { text: string; values: unknown[] } {
  return { text: 'select pg_advisory_lock($1, hashtext($2))', values: [SINGLETON_SPACE, name] };
}
