// The benchmark's PostgreSQL desk (`--db postgres`): the run's copy of the cached SQLite data set,
// moved by `deskbell move-data` into a database of the bench's own, made for the run and dropped
// after it. Moving is what a real desk does to get there, so the data are the same as on SQLite.
import pg from 'pg';
import { runDeskbell } from './dataset.js';

export const DEFAULT_BENCH_PG = 'postgres://postgres@127.0.0.1:5432/deskbell_bench';
/** Only a database of this name (prefix) is dropped and made again by the bench. */
const BENCH_PREFIX = 'deskbell_bench';

export interface PostgresDesk {
  /** The bench database's name (its URL is in the options; it may hold a password). */
  name: string;
  /** `select version()`, shortened: "PostgreSQL 15.20". */
  server: string;
  /** How long `deskbell move-data` took (0: kept from an earlier run, see `kept`). */
  moveSeconds: number;
  /** The database was kept by an earlier run (`--keep-db`) and measured again in place, not moved. */
  kept?: boolean;
  /** How long the VACUUM (ANALYZE) after it took. */
  vacuumSeconds: number;
  /** pg_database_size after the move. */
  bytes: number;
  /** The server settings that most decide these figures, as "shared_buffers 128MB, …". */
  settings: string;
}

/** Whether `url` is a postgres:// address of a database named deskbell_bench…, the only kind the bench drops. */
export function isBenchDatabaseUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  return /^postgres(ql)?:$/.test(parsed.protocol) && decodeURIComponent(parsed.pathname.slice(1)).startsWith(BENCH_PREFIX);
}

/** The bench database's name, refusing any other than deskbell_bench…: it is dropped without asking. */
export function benchDatabaseName(url: string): string {
  if (!isBenchDatabaseUrl(url)) throw new Error(`the bench's database must be a postgres:// address of a database named ${BENCH_PREFIX}… (the bench makes and drops it), got ${url.replace(/\/\/[^@/]*@/, '//…@')}`);
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

/**
 * A fresh database at `url` holding the SQLite desk of `dataDir` (at this version's schema): dropped
 * if left by an earlier run, made empty, then filled by `deskbell move-data`.
 */
export async function movedDesk(url: string, dataDir: string, log: (line: string) => void): Promise<PostgresDesk> {
  const name = benchDatabaseName(url);
  await dropBenchDatabase(url);
  await onServer(url, (client) => client.query(`create database ${pg.escapeIdentifier(name)}`));
  log(`moving the desk into PostgreSQL database ${name} (deskbell move-data)`);
  const started = Date.now();
  await runDeskbell(['move-data', '--to', url], dataDir, log);
  const moveSeconds = (Date.now() - started) / 1000;
  // Statistics and the visibility map now, so the cases meet a settled database rather than one that
  // autovacuum is still working through (as the demo's ANALYZE does on SQLite).
  log('VACUUM (ANALYZE) of the moved desk');
  const vacuumStarted = Date.now();
  await onDatabase(url, (client) => client.query('vacuum (analyze)'));
  const vacuumSeconds = (Date.now() - vacuumStarted) / 1000;
  return { moveSeconds, vacuumSeconds, ...await describe(url) };
}

/** The database an earlier run kept, as it is now. */
export async function keptDesk(url: string): Promise<PostgresDesk> {
  return { moveSeconds: 0, vacuumSeconds: 0, kept: true, ...await describe(url) };
}

async function describe(url: string): Promise<Omit<PostgresDesk, 'moveSeconds' | 'vacuumSeconds' | 'kept'>> {
  const name = benchDatabaseName(url);
  return onServer(url, async (client) => {
    const size = await client.query<{ bytes: string }>('select pg_database_size($1) as bytes', [name]);
    const version = await client.query<{ version: string }>('select version()');
    const settings = await client.query<{ name: string; value: string }>(`select name, current_setting(name) as value from pg_settings
      where name in ('shared_buffers', 'work_mem', 'synchronous_commit', 'max_connections') order by name`);
    return {
      name, server: /^PostgreSQL [\d.]+/.exec(version.rows[0]!.version)?.[0] ?? version.rows[0]!.version,
      bytes: Number(size.rows[0]!.bytes),
      settings: settings.rows.map((r) => `${r.name} ${r.value}`).join(', '),
    };
  });
}

/** Drop the bench database (its connections too); nothing when it is not there. */
export async function dropBenchDatabase(url: string): Promise<void> {
  const name = benchDatabaseName(url);
  await onServer(url, (client) => client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`));
}

/** Whether no client's query is running on the bench database (autovacuum's work does not count). */
export async function databaseIdle(url: string): Promise<boolean> {
  const name = benchDatabaseName(url);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  // Never hang the bench on this question: a server that does not answer in 5 s is not idle.
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000, query_timeout: 5000 });
  try {
    await client.connect();
    return (await client.query(`select 1 from pg_stat_activity
      where datname = $1 and state = 'active' and backend_type = 'client backend' and pid <> pg_backend_pid()`, [name])).rowCount === 0;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The process ids of the client backends on the bench database but this one: the server's pool,
 * whose CPU the bench reads from /proc (PostgreSQL runs on the same machine; [] if it does not
 * answer, and a pid this process cannot read counts nothing).
 */
export async function databasePids(url: string): Promise<number[]> {
  const name = benchDatabaseName(url);
  try {
    return await onServer(url, async (client) => (await client.query<{ pid: number }>(`select pid from pg_stat_activity
      where datname = $1 and backend_type = 'client backend' and pid <> pg_backend_pid()`, [name])).rows.map((r) => r.pid));
  } catch {
    return [];
  }
}

export async function benchDatabaseExists(url: string): Promise<boolean> {
  const name = benchDatabaseName(url);
  return onServer(url, async (client) => (await client.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1);
}

/** A client on the same server's `postgres` database, to make and drop the bench's one. */
function onServer<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  return onDatabase(admin.toString(), run);
}

async function onDatabase<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
