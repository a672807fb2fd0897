import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import type { KyselyPlugin } from 'kysely';
import { buildApp, type AppOptions } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Db } from '../../src/db/connect.js';
import { openDatabase } from '../../src/db/open.js';
import { closeBeforeDrop, copyMigratedSqlite, databaseEnv } from './database.js';

export interface TestDesk {
  app: FastifyInstance;
  db: Db;
  config: Config;
  dir: string;
}

/** A temporary data directory, removed when the test ends. */
export function tempDir(t: Test, prefix = 'deskbell-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * The whole app on a fresh database of its own (a SQLite file, or with DESKBELL_TEST_DB=postgres a
 * new PostgreSQL database, see database.ts), closed when the test ends.
 */
export async function buildTestDesk(t: Test, overrides: Partial<Config> = {}, env: Record<string, string> = {}, options: Pick<AppOptions, 'onRoute'> = {}): Promise<TestDesk> {
  const { app, db, config, dir } = await openTestDesk(t, tempDir(t), overrides, env, options);
  return { app, db, config, dir };
}

export interface ReopenedTestDesk extends TestDesk {
  /** Stop the app and close the database now (a shutdown); safe to call twice. */
  close: () => Promise<void>;
}

/**
 * The app over an existing data directory, as the process finds it after a restart (or after the
 * CLI wrote to it); closed when the test ends. The directory is not removed here. On PostgreSQL the
 * directory's database goes with the test that first opened it.
 */
export async function openTestDesk(t: Test, dir: string, overrides: Partial<Config> = {}, env: Record<string, string> = {}, options: Pick<AppOptions, 'onRoute'> = {}): Promise<ReopenedTestDesk> {
  const database = await databaseEnv(dir, t, { migrated: true });
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', ...database, ...env }, {
    jobRetryBaseMs: 10,
    ...overrides,
  });
  if (config.database.kind === 'sqlite') await copyMigratedSqlite(config.database.path);
  return { ...(await openTestApp(t, config, options)), config, dir };
}

/** The app over a loaded config's database, closed when the test ends (and before its PostgreSQL database is dropped). */
export async function openTestApp(t: Test, config: Config, options: Pick<AppOptions, 'onRoute'> = {}) {
  const { db } = await openDatabase(config);
  const app = await buildApp({ config, db, logger: false, ...options });
  await app.ready();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app.close();
    await db.destroy();
  };
  t.teardown(close);
  if (config.database.kind === 'postgres') closeBeforeDrop(config.database.url, close);
  return { app, db, close };
}

/**
 * A desk whose app runs over the database with a Kysely plugin (statement counters and recorders):
 * `plugin` is made from the plain database (to compile what it sees); `plain` writes past it.
 */
export async function appWithPlugin<P extends KyselyPlugin>(t: Test, plugin: (plain: Db) => P): Promise<{ app: FastifyInstance; db: Db; plain: Db; plugin: P }> {
  const dir = tempDir(t);
  const database = await databaseEnv(dir, t);
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', ...database });
  const { db: plain } = await openDatabase(config);
  const made = plugin(plain);
  const db: Db = plain.withPlugin(made);
  const app = await buildApp({ config, db, logger: false });
  await app.ready();
  let closed: Promise<void> | null = null;
  const close = () => (closed ??= (async () => { await app.close(); await plain.destroy(); })());
  t.teardown(close);
  closeBeforeDrop(database.DATABASE_URL, close);
  return { app, db, plain, plugin: made };
}
