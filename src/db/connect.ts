import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery, Kysely, SqliteAdapter, SqliteDialect,
  type DatabaseConnection, type Transaction, type DialectAdapter, type Driver, type QueryResult, type SqliteDatabase, type SqliteStatement,
} from 'kysely';
import type { DatabaseConfig } from '../config.js';
import { noteWrite, onlyReads, readMarkerOn } from './change-cache.js';
import { connectPostgres } from './postgres.js';
import type { Database } from './schema.js';
import { steadyPlaceholders } from './steady.js';
import { WriteGate } from './write-gate.js';

/** The desk's database, SQLite or PostgreSQL alike (src/db/dialect.ts tells them apart where needed). */
export type Db = Kysely<Database>;

/**
 * An open transaction on the desk's database. Writes that must be atomic with others (the kernel's
 * verbs) ask for it, so that they cannot be called on the bare database by accident.
 */
export type Trx = Transaction<Database>;

export interface OpenOptions {
  readonly?: boolean;
}

/** better-sqlite3's addon when it is not found the usual way (the single executable loads it). */
let nativeAddon: object | undefined;

/** Every database opened from now on uses this loaded addon (better-sqlite3's `nativeBinding`). */
export function useNativeAddon(addon: object): void {
  nativeAddon = addon;
}

/** Open the SQLite file with the pragmas every connection needs. */
export function openSqlite(path: string, options: OpenOptions = {}): SQLite.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path, {
    readonly: options.readonly ?? false,
    ...(nativeAddon ? { nativeBinding: nativeAddon as never } : {}),
  });
  if (!options.readonly) sqlite.pragma('journal_mode = WAL');
  // NORMAL with WAL is durable against process crashes; FULL cost 5x on inserts (DESIGN.md).
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return sqlite;
}

export function connect(path: string, options: OpenOptions = {}): { db: Db; sqlite: SQLite.Database } {
  const sqlite = openSqlite(path, options);
  const gate = new WriteGate();
  const db = new Kysely<Database>({
    dialect: new GatedSqliteDialect({ database: cachedStatements(sqlite) }, gate),
  });
  readMarkerOn(db, sqlite);
  gates.set(db, gate);
  return { db, sqlite };
}

const gates = new WeakMap<Db, WriteGate>();

/** The gate this SQLite desk's connection writes through (write-gate.ts): a worker thread that writes takes it too. */
export function writeGateOf(db: Db): WriteGate | null {
  return gates.get(db) ?? null;
}

/**
 * Open the configured database: the SQLite file (its better-sqlite3 handle too, for snapshots and
 * pragmas) or a pool of connections to PostgreSQL (`sqlite` is then null).
 */
export function connectDatabase(database: DatabaseConfig, options: OpenOptions = {}): { db: Db; sqlite: SQLite.Database | null } {
  if (database.kind === 'postgres') return { db: connectPostgres(database.url, database.poolSize, database.preparedStatements).db, sqlite: null };
  return connect(database.path, options);
}

/**
 * Kysely's SQLite driver prepares every query anew; keep the prepared statements of the (few hundred)
 * distinct queries the app issues and reuse them, each prepared so that SQLite plans it once
 * (steady.ts).
 */
export function cachedStatements(sqlite: SQLite.Database, limit = 500): SqliteDatabase {
  const cache = new Map<string, { stmt: SqliteStatement; reads: boolean }>();
  return {
    close: () => { cache.clear(); sqlite.close(); },
    prepare(sql: string) {
      let entry = cache.get(sql);
      if (entry) {
        cache.delete(sql);
      } else {
        entry = { stmt: sqlite.prepare(steadyPlaceholders(sql)) as unknown as SqliteStatement, reads: onlyReads(sql) };
        if (cache.size >= limit) cache.delete(cache.keys().next().value as string);
      }
      cache.set(sql, entry);
      // The driver runs the statement right after preparing it, in the same synchronous step.
      if (!entry.reads) noteWrite();
      return entry.stmt;
    },
  };
}

/**
 * Kysely's SQLite driver, with two differences.
 *
 * Write transactions begin IMMEDIATE: a DEFERRED transaction that reads, then writes, fails with
 * SQLITE_BUSY (no retry possible) when another process wrote in between; IMMEDIATE takes the write
 * lock up front and so waits on busy_timeout instead.
 *
 * Every write passes the process's write gate first (write-gate.ts): a transaction holds it from
 * BEGIN to COMMIT or ROLLBACK, a write outside a transaction for its one statement. While a worker
 * thread writes (the search index's merge steps), the main thread's writes wait without holding the
 * connection, so its reads go on. The one connection is still held by one transaction at a time (the
 * mutex), and always taken after the gate, so nothing waits for the gate while holding it.
 */
class GatedSqliteDriver implements Driver {
  readonly #mutex = new Mutex();
  #db: SqliteDatabase | null = null;
  constructor(readonly config: ConstructorParameters<typeof SqliteDialect>[0], readonly gate: WriteGate) {}

  async init(): Promise<void> {
    const { database } = this.config;
    this.#db = typeof database === 'function' ? await database() : database;
  }

  /** A handle per use: it only knows whether it is in a transaction; statements take the connection. */
  async acquireConnection(): Promise<DatabaseConnection> {
    const db = this.#db!;
    const handle: Handle = {
      inTransaction: false,
      executeQuery: <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
        if (handle.inTransaction) return Promise.resolve(run<R>(db, query));
        return this.#alone<R>(db, query);
      },
      // Kysely's interface asks for it; the app never streams.
      async *streamQuery(): AsyncIterableIterator<QueryResult<never>> {
        throw new Error('streaming queries are not supported on SQLite here');
      },
    };
    return handle;
  }

  /** A statement outside a transaction: a read takes the connection; a write the gate, then the connection. */
  async #alone<R>(db: SqliteDatabase, query: CompiledQuery): Promise<QueryResult<R>> {
    const writes = !onlyReads(query.sql);
    if (writes) await this.gate.acquire();
    try {
      await this.#mutex.lock();
      try {
        return run<R>(db, query);
      } finally {
        this.#mutex.unlock();
      }
    } finally {
      if (writes) this.gate.release();
    }
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await this.gate.acquire();
    await this.#mutex.lock();
    try {
      run(this.#db!, CompiledQuery.raw('begin immediate'));
    } catch (error) {
      this.#leave();
      throw error;
    }
    (connection as Handle).inTransaction = true;
  }

  /** A failed COMMIT leaves the transaction open: Kysely rolls it back next, which lets go. */
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    run(this.#db!, CompiledQuery.raw('commit'));
    (connection as Handle).inTransaction = false;
    this.#leave();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      run(this.#db!, CompiledQuery.raw('rollback'));
    } finally {
      (connection as Handle).inTransaction = false;
      this.#leave();
    }
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint "${name}"`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to "${name}"`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release "${name}"`));
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    this.#db?.close();
  }

  #leave(): void {
    this.#mutex.unlock();
    this.gate.release();
  }
}

interface Handle extends DatabaseConnection {
  inTransaction: boolean;
}

/** One statement on better-sqlite3, as Kysely's own SQLite connection runs it. */
function run<R>(db: SqliteDatabase, { sql: text, parameters }: CompiledQuery): QueryResult<R> {
  const statement = db.prepare(text);
  if (statement.reader) return { rows: statement.all(parameters) as R[] };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return {
    numAffectedRows: changes === undefined || changes === null ? undefined : BigInt(changes),
    insertId: lastInsertRowid === undefined || lastInsertRowid === null ? undefined : BigInt(lastInsertRowid),
    rows: [],
  };
}

/** First come, first served use of the one connection. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();
  #unlock: (() => void) | null = null;

  async lock(): Promise<void> {
    const previous = this.#tail;
    let unlock!: () => void;
    this.#tail = new Promise((resolve) => { unlock = resolve; });
    await previous;
    this.#unlock = unlock;
  }

  unlock(): void {
    const unlock = this.#unlock;
    this.#unlock = null;
    unlock?.();
  }
}

class GatedSqliteDialect extends SqliteDialect {
  readonly #config: ConstructorParameters<typeof SqliteDialect>[0];
  constructor(config: ConstructorParameters<typeof SqliteDialect>[0], readonly gate: WriteGate) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new GatedSqliteDriver(this.#config, this.gate);
  }
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlAdapter();
  }
}

/**
 * SQLite's schema changes ARE transactional; Kysely's adapter says otherwise to be safe. Saying so
 * makes the Migrator run all pending migrations in one transaction, so a failed upgrade rolls back
 * completely. (A migration must therefore not rely on `PRAGMA foreign_keys`, which is a no-op
 * inside a transaction: use `PRAGMA defer_foreign_keys` for table rebuilds.)
 */
class TransactionalDdlAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}
