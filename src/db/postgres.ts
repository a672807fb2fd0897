import pg from 'pg';
import { CompiledQuery, Kysely, PostgresDialect, PostgresDriver, type DatabaseConnection, type Driver } from 'kysely';
import type { Database } from './schema.js';

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

/** Kysely over a pg Pool of at most `poolSize` connections. `Db` is the same type as on SQLite. */
export function connectPostgres(url: string, poolSize: number): { db: Kysely<Database>; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types: TYPES });
  // An idle connection that breaks (the server restarted) is dropped by the pool and replaced on
  // the next query; without a listener the pool's 'error' event would end the process.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new OneWriterPostgresDialect({ pool }) });
  return { db, pool };
}

/** The advisory lock every write transaction holds (any number; one per desk database). */
export const WRITER_LOCK = 0x6465736b; // "desk"

/**
 * One writer at a time, as on SQLite: every transaction begins by taking a transaction-scoped
 * advisory lock, the counterpart of SQLite's `BEGIN IMMEDIATE` (connect.ts). Across any number of
 * app instances this keeps the guarantees the code is written for: events commit in id order (a
 * consumer reading "after my position" never skips one that commits late), a count-then-insert
 * (rate limits, sign-in pauses, invitation caps) sees every earlier write, and two transactions
 * never wait on each other's rows in opposite order (no deadlocks). Reads outside transactions run
 * in parallel on the pool; single statements outside transactions need no lock.
 */
class OneWriterPostgresDriver extends PostgresDriver {
  override async beginTransaction(connection: DatabaseConnection, settings: Parameters<Driver['beginTransaction']>[1]): Promise<void> {
    await super.beginTransaction(connection, settings);
    await connection.executeQuery(CompiledQuery.raw(`select pg_advisory_xact_lock(${WRITER_LOCK})`));
  }
}

class OneWriterPostgresDialect extends PostgresDialect {
  readonly #config: ConstructorParameters<typeof PostgresDialect>[0];
  constructor(config: ConstructorParameters<typeof PostgresDialect>[0]) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new OneWriterPostgresDriver(this.#config);
  }
}
