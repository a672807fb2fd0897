import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type SQLite from 'better-sqlite3';
import type pg from 'pg';
import { migrations } from '../../migrations/index.js';
import type { Config } from '../config.js';
import { SECRET_SETTING } from '../db/open.js';
import { rebuildSearchIndex } from '../search/index.js';
import { copyTable, type TablePlan } from './move/copy.js';
import { copyOrder, parentsOf } from './move/order.js';
import { count, Progress } from './move/progress.js';
import { checksReport, dryRunReport, matches } from './move/report.js';
import { appliedMigrations, closeSource, highestIssuedIds, openSource, sourceTables } from './move/source.js';
import { runJobs, type Job } from './move/schedule.js';
import {
  connectTarget, createSchema, emptyTables, existingTables, overClient, redact, restoreForeignKeys, setAsideForeignKeys,
  setSequences, tablesWithTriggers, targetColumns, validateForeignKey, type ForeignKey,
} from './move/target.js';
import { verifySearchIndex, verifyTable, type TableCheck } from './move/verify.js';

export interface MoveOptions {
  /** postgres://… of an empty database. */
  to: string;
  dryRun: boolean;
  out: (text: string) => void;
  /** Progress and steps. */
  err: (text: string) => void;
  /** stderr's width when it is a terminal: progress bars are then redrawn in place. */
  terminal: { columns: number } | undefined;
}

/**
 * `deskbell move-data`: the configured SQLite desk copied into an empty PostgreSQL database, made
 * with the same migrations; then sequences set and every table compared. Resolves to the exit code
 * (0: everything copied and the same on both sides); a refusal throws before anything is written.
 * Attachments are files under DATA_DIR and stay where they are.
 */
export async function moveData(config: Config, options: MoveOptions): Promise<number> {
  if (config.database.kind !== 'sqlite') {
    throw new Error('move-data copies a SQLite desk into PostgreSQL, but DATABASE_URL already points at PostgreSQL: run it with the SQLite desk\'s DATA_DIR (or DATABASE_URL=sqlite:PATH)');
  }
  const sqlite = openSource(config.database.path);
  let client: pg.Client | null = null;
  try {
    checkMigrations(appliedMigrations(sqlite), config.database.path);
    client = await connectTarget(options.to);
    const existing = await existingTables(client);
    if (existing.length > 0) {
      const names = existing.slice(0, 5).join(', ') + (existing.length > 5 ? ', …' : '');
      throw new Error(`${redact(options.to)} is not empty (${existing.length} table${existing.length === 1 ? '' : 's'} in its public schema: ${names}); move into a new, empty database (createdb NAME)`);
    }
    const prepared = await prepareTarget(sqlite, client, options);
    if (!prepared) return 1;
    if (options.dryRun) return 0;
    return await copyDesk(config, sqlite, client, prepared, options);
  } finally {
    await client?.end().catch(() => undefined);
    closeSource(sqlite);
  }
}

/** The desk's schema must be this version's: all of its migrations, and none it does not know. */
function checkMigrations(applied: string[], path: string): void {
  const shipped = Object.keys(migrations);
  if (applied.length === 0) throw new Error(`${path} is not a Deskbell desk (it has no migrations)`);
  const unknown = applied.filter((name) => !shipped.includes(name));
  if (unknown.length > 0) throw new Error(`the desk was upgraded by a newer Deskbell (migration ${unknown[0]}): move it with that version`);
  if (applied.length < shipped.length) throw new Error('the desk\'s schema is older than this Deskbell: run `deskbell migrate` first');
}

interface Prepared {
  plans: TablePlan[];
  /** Made again once every row is in. */
  keys: ForeignKey[];
}

/**
 * Make the schema on the target in one transaction and match it against the desk: every column of
 * every table must exist on both sides. A dry run reports what it would copy and rolls back; a
 * real run commits the empty schema, its foreign keys set aside. Null when something does not
 * match (reported on stderr).
 */
async function prepareTarget(sqlite: SQLite.Database, client: pg.Client, options: MoveOptions): Promise<Prepared | null> {
  const order = copyOrder(sourceTables(sqlite));
  await client.query('begin');
  try {
    await createSchema(client);
    const columns = await targetColumns(client);
    const triggers = await tablesWithTriggers(client);
    const problems: string[] = [];
    const plans = order.map((table): TablePlan => {
      const target = columns.get(table.name);
      if (!target) problems.push(`the target has no table ${table.name}`);
      const shared = table.columns.filter((column) => {
        if (target?.has(column)) return true;
        if (target) problems.push(`the target's table ${table.name} has no column ${column}`);
        return false;
      });
      return { table, columns: shared, types: shared.map((c) => target!.get(c)!), triggers: triggers.has(table.name) };
    });
    if (problems.length > 0) {
      await client.query('rollback');
      options.err(problems.map((p) => `deskbell: ${p}\n`).join('') + 'deskbell: nothing was copied: the schemas differ\n');
      return null;
    }
    // Whatever rows the migrations put in are not the desk's: the copy starts from nothing.
    await emptyTables(client, [...columns.keys()].filter((name) => !name.startsWith('kysely_migration')));
    if (options.dryRun) {
      await client.query('rollback');
      options.out(dryRunReport(plans, redact(options.to)));
      return { plans, keys: [] };
    }
    const keys = await setAsideForeignKeys(client);
    await client.query('commit');
    return { plans, keys };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}

/** Connections copying at once: tables that do not wait for each other go in side by side. */
const CONNECTIONS = 2;

/** What the tickets' search documents are made of (migration 0019): built once these are in. */
const SEARCH_SOURCES = ['tickets', 'users', 'organizations', 'fields', 'ticket_field_values'];

async function copyDesk(config: Config, sqlite: SQLite.Database, client: pg.Client, { plans, keys }: Prepared, options: MoveOptions): Promise<number> {
  const progress = new Progress(options.err, options.terminal, Math.max(...plans.map((p) => p.table.name.length), 'search index'.length));
  const started = Date.now();
  const clients = [client];
  let copied = 0;
  try {
    for (let i = 1; i < CONNECTIONS; i++) clients.push(await connectTarget(options.to));
    for (const c of clients) {
      // A crash mid-copy means starting over into a new database anyway: no need to wait for each
      // commit's flush. The sequences commit with it at the end, and everything before with them.
      await c.query('set synchronous_commit = off');
      // Indexes are made once per table after its rows (copy.ts): give the sort room.
      await c.query("set maintenance_work_mem = '256MB'");
    }
    const tables: Job<pg.Client>[] = plans.map((plan) => ({
      name: plan.table.name,
      after: parentsOf(plan.table),
      run: async (worker) => {
        progress.start(plan.table.name, plan.table.rows);
        const rows = await copyTable(sqlite, worker, plan, { rows: (n) => progress.update(plan.table.name, n), indexing: () => progress.indexing(plan.table.name) });
        progress.done(plan.table.name, rows);
        copied += rows;
      },
    }));
    const search: Job<pg.Client> = {
      name: 'search index',
      after: SEARCH_SOURCES,
      run: async (worker) => {
        progress.start('search index', 0, true);
        const indexStarted = Date.now();
        await rebuildSearchIndex(overClient(worker));
        progress.forget('search index');
        progress.note(`${'search index'.padEnd(progress.width)}  built in ${((Date.now() - indexStarted) / 1000).toFixed(1)} s`);
      },
    };
    await runJobs([...tables, search], clients);
    progress.note(`${'foreign keys'.padEnd(progress.width)}  checking ${keys.length}`);
    const keysStarted = Date.now();
    await restoreForeignKeys(client, keys);
    await runJobs(keys.map((key): Job<pg.Client> => ({ name: `${key.table}.${key.name}`, after: [], run: (worker) => validateForeignKey(worker, key) })), clients);
    progress.note(`${'foreign keys'.padEnd(progress.width)}  ${keys.length} checked in ${((Date.now() - keysStarted) / 1000).toFixed(1)} s`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\nThe target now holds part of the desk: drop it and create it empty again before the next try.`, { cause: error });
  } finally {
    progress.end();
    for (const c of clients.slice(1)) await c.end().catch(() => undefined);
  }
  const copySeconds = (Date.now() - started) / 1000;

  await client.query('set synchronous_commit = on');
  await client.query('begin');
  await setSequences(client, highestIssuedIds(sqlite));
  await client.query('commit');
  // New tables have no planner statistics until autovacuum gets round to them, and the first plans
  // made without them can be orders of magnitude off (a tag-filtered search took minutes instead of
  // a tenth of a second on a moved 100k desk): gather them now, from a sample of each table.
  const analyzeStarted = Date.now();
  await client.query('analyze');
  options.err(`planner statistics gathered in ${((Date.now() - analyzeStarted) / 1000).toFixed(1)} s\n`);

  const verifyStarted = Date.now();
  const checks: TableCheck[] = [];
  for (const plan of plans) checks.push(await verifyTable(sqlite, client, plan));
  checks.push(await verifySearchIndex(client));
  options.out(checksReport(checks));
  options.out(`Copied ${count(copied)} rows of ${plans.length} tables in ${copySeconds.toFixed(1)} s`
    + ` (${count(Math.round(copied / Math.max(copySeconds, 0.001)))} rows/s, indexes and search index included); verified in ${((Date.now() - verifyStarted) / 1000).toFixed(1)} s.\n`);
  if (!checks.every(matches)) {
    options.out('DIFFERENT: the copy does not match the desk (see above). Do not switch to it.\n');
    return 1;
  }
  await keepSecretKey(config, client, options);
  options.out(`Every table matches. Run the desk with DATABASE_URL=${redact(options.to)}\n`
    + `Attachments were not copied: they stay in ${config.uploadsDir}. Start the new instances with DATA_DIR=${config.dataDir}`
    + ' (the same files; several machines share that directory, see docs/scaling.md).\n');
  return 0;
}

/**
 * The key that signs reply addresses, rating links and form tokens: on SQLite the file
 * DATA_DIR/secret.key, on PostgreSQL a setting every instance reads (db/open.ts). Carried over, so
 * that mails sent before the move can still be answered. A SECRET_KEY from the environment is not
 * written anywhere: the new instances need the same variable.
 */
async function keepSecretKey(config: Config, client: pg.Client, options: MoveOptions): Promise<void> {
  const file = join(config.dataDir, 'secret.key');
  if (existsSync(file) && readFileSync(file, 'utf8').trim() === config.secretKey) {
    await client.query('insert into settings (key, value) values ($1, $2) on conflict (key) do nothing', [SECRET_SETTING, config.secretKey]);
  } else {
    options.out('SECRET_KEY is set in the environment: set the same SECRET_KEY for the new instances.\n');
  }
}
