import { PostgresAdapter, sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';

export type DialectKind = 'sqlite' | 'postgres';

/**
 * Which database a handle (or a transaction) talks to. The same queries run on both; the few that
 * cannot be written once ask this, in a small helper beside the query, never all over a feature.
 */
export function dialectOf(db: Kysely<any>): DialectKind {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

export function isPostgres(db: Kysely<any>): boolean {
  return dialectOf(db) === 'postgres';
}

/**
 * `expression LIKE pattern` ignoring case, with `\` escaping LIKE's wildcards in the pattern. SQLite's
 * LIKE ignores (ASCII) case by itself and then can use a `collate nocase` index for a prefix;
 * PostgreSQL's LIKE does not ignore case: ILIKE there.
 */
export function likeIgnoringCase(db: Kysely<any>, expression: RawBuilder<unknown>, pattern: string): RawBuilder<SqlBool> {
  return isPostgres(db)
    ? sql<SqlBool>`${expression} ilike ${pattern} escape '\\'`
    : sql<SqlBool>`${expression} like ${pattern} escape '\\'`;
}

/**
 * A row-taking subquery (a job lease): on PostgreSQL `FOR UPDATE SKIP LOCKED`, so two instances
 * leasing at once each take a different row instead of one waiting for the other; SQLite has one
 * writer and no row locks, so the query stays as it is.
 */
export function skipLocked<QB extends { forUpdate(): { skipLocked(): QB } }>(db: Kysely<any>, query: QB): QB {
  return isPostgres(db) ? query.forUpdate().skipLocked() : query;
}

/** The channel that tells every instance new events were committed (PostgreSQL LISTEN/NOTIFY). */
export const EVENTS_CHANNEL = 'deskbell_events';

/** The channel on which instances tell each other who has which ticket open (live/presence-share.ts). */
export const PRESENCE_CHANNEL = 'deskbell_presence';

/**
 * Tell the other instances, when this transaction commits (outside a transaction: at once), that something new is in a table they
 * read (payload: an id, never content). PostgreSQL delivers a NOTIFY only on commit, and not at all
 * on rollback; SQLite runs one process, which is nudged in-process, so nothing is sent there.
 */
export async function notifyOnCommit(db: Kysely<any>, channel: string, payload: string): Promise<void> {
  if (isPostgres(db)) await sql`select pg_notify(${channel}, ${payload})`.execute(db);
}
