import pg from 'pg';
import {
  CompiledQuery, Kysely, PostgresDialect,
  type DatabaseConnection, type Driver, type QueryResult, type TransactionSettings,
} from 'kysely';
import { noteWrite, onlyReads } from './change-cache.js';
import { isNameable, isStale, parsedStatements, statementName, Statements } from './pg-statements.js';
import type { Database } from './schema.js';
import { FLUSH_SQL, isPlainRead, lateLock, needsNoWriterLock, NO_FLUSH_SQL, WRITER_LOCK_SQL } from './writer-lock.js';

const { builtins } = pg.types;

/**
 * Values read from PostgreSQL as SQLite hands them to the same code: `count(*)` and `sum()` of
 * integers (int8) as numbers, not strings; `numeric` (avg) as numbers; a boolean expression
 * (`x is null as unread`) as 1 or 0, as SQLite has no other truth values and the schema keeps its
 * flags as integer 0/1 on both. Set per pool, so nothing else in the process is affected.
 */
export const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary') {
      if (oid === builtins.INT8) return (value: string) => safeNumber(value);
      if (oid === builtins.NUMERIC) return (value: string) => Number(value);
      if (oid === builtins.BOOL) return (value: string) => (value === 't' ? 1 : 0);
    }
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** An int8 as a number; a value a number cannot hold exactly is an error, never silently rounded. */
function safeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`integer out of JavaScript's exact range: ${value}`);
  return n;
}

/** Settings sent when each connection starts (pg's `options`, PostgreSQL's `-c name=value`). */
export const SERVER_OPTIONS = '-c jit=off';

/**
 * Kysely over a pg Pool of at most `poolSize` connections. `Db` is the same type as on SQLite.
 * `preparedStatements`: how many statements each connection keeps prepared (0: none, see Statements).
 */
export function connectPostgres(url: string, poolSize: number, preparedStatements: number): { db: Kysely<Database>; pool: pg.Pool } {
  // Idle connections are kept for minutes, not pg's 10 s: a connection closed loses its prepared
  // statements, and a desk between two bursts of clicks would plan everything again each time. Idle
  // ones never keep a process from ending (a command that forgot to close the pool).
  //
  // JIT off (SERVER_OPTIONS): the app's statements read a page of rows, but PostgreSQL's estimate for
  // some (a rare word's matches: 9,250 rows estimated, 100 read) passes jit_above_cost, and compiling
  // them took 10 ms of a 12 ms search at 1M tickets. An `options` parameter in the URL replaces this.
  const pool = new pg.Pool({ connectionString: url, options: SERVER_OPTIONS, max: poolSize, types: TYPES, idleTimeoutMillis: 5 * 60_000, allowExitOnIdle: true });
  // An idle connection that breaks (the server restarted) is dropped by the pool and replaced on
  // the next query; without a listener the pool's 'error' event would end the process.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new DeskPostgresDialect(pool, new Statements(preparedStatements)) });
  return { db, pool };
}


type WriterState = 'none' | 'pending' | 'held';

/** One pooled connection, as the driver uses it: its prepared statements and its writer lock. */
class DeskConnection implements DatabaseConnection {
  /** Statement text → name, least recently used first. */
  readonly #prepared = new Map<string, string>();
  /** Names to deallocate when the connection is next outside a transaction. */
  readonly #retired = new Set<string>();
  /** Names not to use until deallocated (they failed as stale). */
  readonly #stale = new Set<string>();
  writer: WriterState = 'none';
  /** This transaction commits without waiting for the disk, and `FLUSH_SQL` follows if it wrote (see `wrote`). */
  flushAfter = false;
  /** This transaction may have written: it held the writer lock, or sent something other than a plain `select`. */
  wrote = false;

  constructor(readonly client: pg.PoolClient, readonly statements: Statements) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    // Already committing without waiting (set at BEGIN): only the flush after it is to be left out.
    if (query.sql === NO_FLUSH_SQL && this.flushAfter) {
      this.flushAfter = false;
      return { rows: [] };
    }
    if (!this.wrote && !isPlainRead(query.sql)) this.wrote = true;
    if (query.sql === WRITER_LOCK_SQL) {
      if (this.writer === 'held') return { rows: [] };
      if (this.writer === 'pending') this.#lateLockTaken();
    } else if (this.writer === 'pending' && !needsNoWriterLock(query.sql)) {
      await this.run(WRITER_LOCK_SQL, []);
      this.#lateLockTaken();
    }
    // Before and after: the turn's remembered change marker (change-cache.ts) must not outlive a write.
    const reads = onlyReads(query.sql);
    if (!reads) noteWrite(query.sql);
    const { command, rowCount, rows } = await this.run(query.sql, query.parameters);
    if (!reads) noteWrite(query.sql);
    return {
      rows: (rows ?? []) as R[],
      ...(command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE' ? { numAffectedRows: BigInt(rowCount ?? 0) } : {}),
    };
  }

  #lateLockTaken(): void {
    this.writer = 'held';
    const late = lateLock.getStore();
    if (late) late.locked = true;
  }

  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not used on PostgreSQL here');
  }

  /** Send a statement, named when it qualifies; a named one that went stale is deallocated and, outside a transaction, sent again unnamed. */
  async run(text: string, values: readonly unknown[]): Promise<pg.QueryResult> {
    if (this.#retired.size > 0 && this.client.getTransactionStatus() === 'I') await this.#deallocate();
    const name = this.#nameFor(text);
    if (!name) return this.client.query(text, [...values]);
    try {
      return await this.client.query({ name, text, values: [...values] });
    } catch (error) {
      if (!isStale(error)) throw error;
      this.#prepared.delete(text);
      this.#retired.add(name);
      this.#stale.add(name);
      if (this.client.getTransactionStatus() !== 'I') throw error; // the transaction is aborted: the caller's to retry
      await this.#deallocate();
      return this.client.query(text, [...values]);
    }
  }

  #nameFor(text: string): string | null {
    const limit = this.statements.perConnection;
    if (limit <= 0) return null;
    const known = this.#prepared.get(text);
    if (known) {
      this.#prepared.delete(text);
      this.#prepared.set(text, known);
      return known;
    }
    if (!isNameable(text) || !this.statements.repeated(text)) return null;
    const name = statementName(text);
    if (this.#stale.has(name)) return null;
    if (this.#prepared.size >= limit) {
      // Without pg's record of parsed statements one cannot be dropped safely: name no more.
      if (!parsedStatements(this.client)) return null;
      const [oldText, oldName] = this.#prepared.entries().next().value as [string, string];
      this.#prepared.delete(oldText);
      this.#retired.add(oldName);
    }
    this.#retired.delete(name); // dropped a moment ago and back already: still prepared, keep it
    this.#prepared.set(text, name);
    return name;
  }

  async #deallocate(): Promise<void> {
    const parsed = parsedStatements(this.client);
    for (const name of [...this.#retired]) {
      this.#retired.delete(name);
      this.#stale.delete(name);
      if (!parsed || parsed[name] === undefined) continue; // never prepared (its Parse failed)
      delete parsed[name];
      await this.client.query(`deallocate ${name}`).catch(() => undefined);
    }
  }
}

/** Kysely's PostgreSQL driver, with named statements and the writer lock (see above). */
class DeskPostgresDriver implements Driver {
  readonly #connections = new WeakMap<pg.PoolClient, DeskConnection>();
  #pool: pg.Pool | null;
  /** Whether this role may run FLUSH_SQL (asked once); where it may not, commits wait for the disk inside the lock, as before. */
  #flushOutside: Promise<boolean> | null = null;

  constructor(pool: pg.Pool, readonly statements: Statements) {
    this.#pool = pool;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DeskConnection> {
    if (!this.#pool) throw new Error('the database is closed');
    const client = await this.#pool.connect();
    let connection = this.#connections.get(client);
    if (!connection) {
      connection = new DeskConnection(client, this.statements);
      this.#connections.set(client, connection);
    }
    return connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const desk = connection as DeskConnection;
    const begin = settings.isolationLevel || settings.accessMode
      ? `start transaction${settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : ''}${settings.accessMode ? ` ${settings.accessMode}` : ''}`
      : 'begin';
    const late = lateLock.getStore();
    const lazy = late !== undefined && !late.claimed;
    if (late) late.claimed = true;
    const outside = await (this.#flushOutside ??= mayFlushOutside(desk.client).catch((error: unknown) => {
      this.#flushOutside = null; // asked again by the next transaction
      throw error;
    }));
    try {
      // One round trip: BEGIN, the commit that does not wait for the disk (the wait comes after the
      // writer lock is let go: FLUSH_SQL) and, unless it waits for the first write, the writer lock.
      const noWait = outside ? '; set local synchronous_commit = off' : '';
      await desk.client.query(lazy ? `${begin}${noWait}` : `${begin}${noWait}; ${WRITER_LOCK_SQL}`);
      desk.writer = lazy ? 'pending' : 'held';
      desk.flushAfter = outside;
      desk.wrote = !lazy;
    } catch (error) {
      // Never hand the connection back inside a transaction that failed to start.
      await desk.client.query('rollback').catch(() => undefined);
      desk.writer = 'none';
      throw error;
    }
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return endTransaction(connection as DeskConnection, 'commit');
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return endTransaction(connection as DeskConnection, 'rollback');
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as DeskConnection).client.release();
  }

  async destroy(): Promise<void> {
    const pool = this.#pool;
    this.#pool = null;
    await pool?.end();
  }
}

class DeskPostgresDialect extends PostgresDialect {
  constructor(readonly pool: pg.Pool, readonly statements: Statements) {
    super({ pool });
  }

  override createDriver(): Driver {
    return new DeskPostgresDriver(this.pool, this.statements);
  }
}

/**
 * Commit or roll back; either way the connection no longer holds the writer lock (it ends with the
 * transaction). A commit that did not wait for the disk is then made durable (FLUSH_SQL) before the
 * caller hears of it: outside the lock, so writers waiting at once share one flush.
 */
async function endTransaction(desk: DeskConnection, end: 'commit' | 'rollback'): Promise<void> {
  const flush = end === 'commit' && desk.flushAfter && desk.wrote;
  try {
    // One round trip: the COMMIT, then the flush's own little transaction (run only if the COMMIT went through).
    await desk.client.query(flush ? `commit; ${FLUSH_SQL}` : end);
  } catch (error) {
    // Failed in the flush, after the commit: never hand the connection back inside its transaction.
    if (desk.client.getTransactionStatus() !== 'I') await desk.client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    desk.writer = 'none';
    desk.flushAfter = false;
    desk.wrote = false;
  }
}

/** Whether this role may send FLUSH_SQL (its functions are PUBLIC unless an administrator took them away). */
async function mayFlushOutside(client: pg.PoolClient): Promise<boolean> {
  const { rows } = await client.query<{ ok: number }>(`select (has_function_privilege('pg_logical_emit_message(boolean, text, text)', 'execute')
    and has_function_privilege('pg_current_wal_flush_lsn()', 'execute') and has_function_privilege('pg_current_wal_insert_lsn()', 'execute'))::int as ok`);
  return rows[0]?.ok === 1;
}
