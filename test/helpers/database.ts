// Which database the tests run on. `DESKBELL_TEST_DB=postgres` points the whole suite at the
// PostgreSQL server of DESKBELL_TEST_PG (default postgres://postgres@127.0.0.1:5432/postgres, trust
// authentication): every desk gets a database of its own, created here and dropped when its test
// ends, so that nothing depends on data left behind. Unset (or `sqlite`), desks are SQLite files.
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import tap, { type Test } from 'tap';
import { connectDatabase } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';

export type TestDb = 'sqlite' | 'postgres';

export const TEST_DB: TestDb = process.env.DESKBELL_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';
export const onPostgres = TEST_DB === 'postgres';

const ADMIN_URL = process.env.DESKBELL_TEST_PG || 'postgres://postgres@127.0.0.1:5432/postgres';
/** Connections per test desk: tests run two files at a time on a server shared with others. */
const POOL_SIZE = '4';

/**
 * For a test that cannot run on PostgreSQL by nature: `t.test(name, sqliteOnly('why'), fn)`, or
 * `if (skipOnPostgres(t, 'why')) return;` for a whole file. Never silent: the reason is reported.
 */
export function sqliteOnly(reason: string): { skip: string | false } {
  return { skip: onPostgres ? `SQLite only: ${reason}` : false };
}

export function skipOnPostgres(t: Test, reason: string): boolean {
  if (onPostgres) void t.skip(`SQLite only: ${reason}`, () => undefined);
  return onPostgres;
}

interface Database {
  name: string;
  url: string;
  /** Desks open on it, closed before it is dropped. */
  closers: Set<() => Promise<void>>;
  dropped: boolean;
}

const databases = new Map<string, Database>();
/** Each data directory's database, so that a reopened desk (or the CLI run on it) finds it again. */
const byDir = new Map<string, Database>();

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/**
 * Migrating an empty PostgreSQL database takes most of a second, and the suite opens thousands of
 * desks. A desk's database is instead copied (`create database ... template`, tens of milliseconds)
 * from one migrated once: `deskbell_tpl_<hash of the migrations and src/db>`, made by the first test
 * process that needs it, under an advisory lock so that parallel test files wait for it rather than
 * build it twice. The name changes with the migrations, so a template is never stale; it holds the
 * schema and what migrations insert, not the seeds (openDatabase still seeds every desk, and makes its
 * own secret). openTestDesk's desks and the browser tests' servers start from it; databaseEnv and
 * freshPostgresDatabase otherwise give an empty database (migration tests, the CLI's first start).
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TEMPLATE = `deskbell_tpl_${templateHash()}`;
let templateReady: Promise<void> | null = null;

function templateHash(): string {
  const hash = createHash('sha256');
  for (const folder of ['migrations', 'src/db']) {
    for (const file of readdirSync(join(ROOT, folder)).filter((f) => f.endsWith('.ts')).sort()) {
      hash.update(`${folder}/${file}\0`).update(readFileSync(join(ROOT, folder, file))).update('\0');
    }
  }
  return hash.digest('hex').slice(0, 16);
}

function ensureTemplate(): Promise<void> {
  templateReady ??= admin(async (client) => {
    await client.query('select pg_advisory_lock(hashtext($1))', ['deskbell_test_template']);
    try {
      const found = await client.query('select 1 from pg_database where datname = $1', [TEMPLATE]);
      if (found.rowCount) return;
      const building = `${TEMPLATE}_build`;
      await client.query(`drop database if exists ${pg.escapeIdentifier(building)} with (force)`);
      await client.query(`create database ${pg.escapeIdentifier(building)}`);
      const { db } = await connectDatabase({ kind: 'postgres', url: urlOf(building), poolSize: 1, preparedStatements: 0 });
      try {
        await migrateToLatest(db);
      } finally {
        await db.destroy();
      }
      // Renamed only when complete: a process that died half-way leaves no template behind.
      await client.query(`alter database ${pg.escapeIdentifier(building)} rename to ${pg.escapeIdentifier(TEMPLATE)}`);
    } finally {
      await client.query('select pg_advisory_unlock(hashtext($1))', ['deskbell_test_template']);
    }
  });
  return templateReady;
}

/**
 * The same for SQLite: a migrated file in the temporary directory, named by the same hash, made once
 * (renamed into place when complete) and copied to a new desk's path before the desk opens it.
 */
export async function copyMigratedSqlite(path: string): Promise<void> {
  if (existsSync(path)) return;
  const template = join(tmpdir(), `${TEMPLATE}.db`);
  if (!existsSync(template)) {
    const building = `${template}.${process.pid}.${randomBytes(4).toString('hex')}`;
    const { db } = await connectDatabase({ kind: 'sqlite', path: building });
    try {
      await migrateToLatest(db);
    } finally {
      await db.destroy();
    }
    renameSync(building, template);
  }
  copyFileSync(template, path);
}

/** A new database: empty, or (`migrated`) a copy of the migrated template. */
async function createDatabase(name: string, migrated: boolean): Promise<void> {
  if (!migrated) {
    await admin((client) => client.query(`create database ${pg.escapeIdentifier(name)}`));
    return;
  }
  await ensureTemplate();
  for (let attempt = 0; ; attempt++) {
    try {
      await admin((client) => client.query(`create database ${pg.escapeIdentifier(name)} template ${pg.escapeIdentifier(TEMPLATE)}`));
      return;
    } catch (error) {
      // 55006: the template's builder has closed its connection, but the server has not yet let it go.
      if ((error as { code?: string }).code !== '55006' || attempt >= 50) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function urlOf(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function drop(database: Database): Promise<void> {
  if (database.dropped) return;
  database.dropped = true;
  for (const close of [...database.closers]) await close().catch(() => undefined);
  await admin((client) => client.query(`drop database if exists ${pg.escapeIdentifier(database.name)} with (force)`));
  databases.delete(database.url);
  for (const [dir, other] of byDir) if (other === database) byDir.delete(dir);
}

// Whatever was created without an owning test (the in-process CLI) goes when the file's tests end.
tap.teardown(async () => {
  for (const database of [...databases.values()]) await drop(database);
});

/**
 * The environment that points a desk over `dir` at its database: nothing on SQLite (the file lives in
 * `dir`); on PostgreSQL DATABASE_URL of the directory's database (this process remembers which),
 * created on first use (empty, or `migrated`: a copy of the template) and dropped when `owner` ends
 * (or when the file's tests end). Nothing is written into `dir`.
 */
export async function databaseEnv(dir: string, owner?: Test, { migrated = false } = {}): Promise<Record<string, string>> {
  if (!onPostgres) return {};
  let database = byDir.get(resolve(dir));
  if (!database) {
    const name = `deskbell_t_${randomBytes(6).toString('hex')}`;
    await createDatabase(name, migrated);
    database = { name, url: urlOf(name), closers: new Set(), dropped: false };
    databases.set(database.url, database);
    byDir.set(resolve(dir), database);
    const created = database;
    if (owner) owner.teardown(() => drop(created));
  }
  return { DATABASE_URL: database.url, DATABASE_POOL_SIZE: POOL_SIZE };
}

/** A desk opened on the database of DATABASE_URL `url`: closed before that database is dropped. */
export function closeBeforeDrop(url: string | undefined, close: () => Promise<void>): void {
  if (url) databases.get(url)?.closers.add(close);
}

/**
 * A fresh PostgreSQL database for a test that needs one whatever DESKBELL_TEST_DB says (several
 * instances, moving data over): its URL; dropped when `owner` ends, after the desks on it closed.
 */
export async function postgresDatabase(owner: Test): Promise<string> {
  const { url, drop } = await freshPostgresDatabase();
  owner.teardown(drop);
  return url;
}

/**
 * A fresh PostgreSQL database whose user drops it itself (`drop`, e.g. once a server on it has
 * stopped), or at the latest when the file's tests end.
 */
export async function freshPostgresDatabase({ migrated = false } = {}): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `deskbell_t_${randomBytes(6).toString('hex')}`;
  await createDatabase(name, migrated);
  const database: Database = { name, url: urlOf(name), closers: new Set(), dropped: false };
  databases.set(database.url, database);
  return { url: database.url, drop: () => drop(database) };
}
