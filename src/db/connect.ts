import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery, Kysely, SqliteAdapter, SqliteDialect, SqliteDriver,
  type DatabaseConnection, type Transaction, type DialectAdapter, type Driver, type SqliteDatabase, type SqliteStatement,
} from 'kysely';
import type { DatabaseConfig } from '../config.js';
import { noteWrite, onlyReads, readMarkerOn } from './change-cache.js';
import type { Database } from './schema.js';
import { steadyPlaceholders } from './steady.js';

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
  const hooks: StatementHooks = {};
  const db = new Kysely<Database>({
    dialect: new ImmediateSqliteDialect({ database: cachedStatements(sqlite, 500, hooks) }),
  });
  readMarkerOn(db, sqlite);
  statementHooks.set(db, hooks);
  return { db, sqlite };
}

interface StatementHooks {
  beforeWrite?: (sqlite: SQLite.Database) => void;
}

const statementHooks = new WeakMap<Db, StatementHooks>();

/**
 * Run `run` on the SQLite handle behind `db` before each statement that may write and starts no
 * nested work: outside any transaction, in the same synchronous step as the statement (the WAL
 * checkpointer's last copy, db/checkpointer.ts). It must be cheap when it has nothing to do. False
 * when `db` is not a connection `connect` made.
 */
export function beforeEachWrite(db: Db, run: (sqlite: SQLite.Database) => void): boolean {
  const hooks = statementHooks.get(db);
  if (!hooks) return false;
  hooks.beforeWrite = run;
  return true;
}

/**
 * Open the configured database: the SQLite file (its better-sqlite3 handle too, for snapshots and
 * pragmas) or a pool of connections to PostgreSQL (`sqlite` is then null). The PostgreSQL driver
 * (`pg`) is loaded only for a desk on PostgreSQL.
 */
export async function connectDatabase(database: DatabaseConfig, options: OpenOptions = {}): Promise<{ db: Db; sqlite: SQLite.Database | null }> {
  if (database.kind === 'sqlite') return connect(database.path, options);
  const { connectPostgres } = await import('./postgres.js');
  return { db: connectPostgres(database.url, database.poolSize, database.preparedStatements).db, sqlite: null };
}

/**
 * Kysely's SQLite driver prepares every query anew; keep the prepared statements of the (few hundred)
 * distinct queries the app issues and reuse them, each prepared so that SQLite plans it once
 * (steady.ts).
 */
export function cachedStatements(sqlite: SQLite.Database, limit = 500, hooks: StatementHooks = {}): SqliteDatabase {
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
      if (!entry.reads) {
        noteWrite(sql);
        if (hooks.beforeWrite && !sqlite.inTransaction) hooks.beforeWrite(sqlite);
      }
      return entry.stmt;
    },
  };
}

/**
 * Write transactions begin IMMEDIATE: a DEFERRED transaction that reads, then writes, fails with
 * SQLITE_BUSY (no retry possible) when another process wrote in between; IMMEDIATE takes the write
 * lock up front and so waits on busy_timeout instead.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: ConstructorParameters<typeof SqliteDialect>[0];
  constructor(config: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
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
