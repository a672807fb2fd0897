// The whole benchmark as a function: data set, real server, logins, every case at every number of
// connections, and the bare-Fastify floor; on PostgreSQL, the desk moved there first, and with two
// instances the same cases through nginx. bench/run.ts prints it; tests run it on a tiny desk.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { COMMON_TERM, RARE_TERM } from '../src/ops/demo-text.js';
import { buildCases, SEARCH_PATH, type BenchCase } from './cases.js';
import { allowBulkSubmissions, copyDataset, ensureDataset, runDeskbell, type Dataset } from './dataset.js';
import { readFacts } from './facts.js';
import { compareInstances, type InstancesReport } from './instances.js';
import { measure, measureCases, type CaseReport, type Measurement } from './load.js';
import { FLOOR_SERVER, SERVER } from './paths.js';
import { benchDatabaseExists, benchDatabaseName, databaseIdle, databasePids, DEFAULT_BENCH_PG, dropBenchDatabase, keptDesk, movedDesk, type PostgresDesk } from './postgres.js';
import { memoryOf, serve, type Served } from './process.js';
import { get, logIn, type Session } from './session.js';

export type { CaseReport } from './load.js';

export interface BenchOptions {
  tickets: number;
  seconds: number;
  connections: number[];
  cacheDir: string;
  /** Requests sent to each page before it is measured (default 20). */
  warmup?: number;
  log: (line: string) => void;
  /** Where the desk lives while it is measured (default SQLite, a copy of the cached file). */
  db?: 'sqlite' | 'postgres';
  /** PostgreSQL: the bench's own database (made, filled and dropped by the run); default DEFAULT_BENCH_PG. */
  postgresUrl?: string;
  /** PostgreSQL: leave the bench database in place after the run (to look into its queries; drop it yourself). */
  keepDatabase?: boolean;
  /** 2: then the same cases through nginx, in front of one instance and of two (PostgreSQL only). */
  instances?: 1 | 2;
  /** The nginx binary (default: found on the PATH or in /usr/sbin). */
  nginx?: string;
  /** Measure only the cases whose names contain one of these (case-insensitive); all when empty. */
  only?: string[];
  /**
   * Run on the cached desk itself instead of a copy: for a desk too large to copy twice on the disk
   * (10M tickets: 40 GB). The run's writes stay in the cache entry. On PostgreSQL: on the database an
   * earlier run kept (`keepDatabase`), brought to this version's schema, without moving it again.
   */
  inPlace?: boolean;
}

export type DatabaseReport = { kind: 'sqlite' } | ({ kind: 'postgres' } & PostgresDesk);

export interface BenchReport {
  dataset: Dataset;
  database: DatabaseReport;
  startupMs: number;
  /** VmHWM of the server at the end of the run, in bytes. */
  serverPeakRss: number;
  listPageBytes: number;
  floor: Measurement[];
  cases: CaseReport[];
  /** With `instances: 2`: one instance against two, behind nginx. */
  instances?: InstancesReport;
}

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  if (options.instances === 2 && options.db !== 'postgres') throw new Error('two instances need one database they share: use them with PostgreSQL');
  const dataset = await ensureDataset(options.cacheDir, options.tickets, options.log);
  const postgresUrl = options.db === 'postgres' ? options.postgresUrl ?? DEFAULT_BENCH_PG : null;
  // In place on PostgreSQL: the database kept by an earlier `--keep-db` run, not moved again (a 1M
  // desk takes minutes to move); the run only needs a data directory with the desk's key beside it.
  const pgInPlace = Boolean(options.inPlace && postgresUrl);
  const runDir = options.inPlace && !pgInPlace ? dataset.dir : mkdtempSync(join(options.cacheDir, 'run-'));
  const stops: Served[] = [];
  try {
    if (pgInPlace) copyDataset(dataset, runDir, { key: true });
    else if (options.inPlace) allowBulkSubmissions(join(runDir, 'deskbell.db'));
    else copyDataset(dataset, runDir);
    const env: Record<string, string> = { DATA_DIR: runDir, LOG_LEVEL: 'warn' };
    let database: DatabaseReport = { kind: 'sqlite' };
    if (postgresUrl && pgInPlace) {
      if (!await benchDatabaseExists(postgresUrl)) throw new Error(`--in-place on PostgreSQL measures the database an earlier run kept (--keep-db); ${benchDatabaseName(postgresUrl)} is not there`);
      env.DATABASE_URL = postgresUrl;
      await runDeskbell(['migrate'], runDir, options.log, { DATABASE_URL: postgresUrl });
      database = { kind: 'postgres', ...await keptDesk(postgresUrl) };
    } else {
      // The copy at this version's schema before anything starts on it: a server's startup is then
      // not a migration's (nor the snapshot SQLite takes before one), and move-data wants it so.
      await runDeskbell(['migrate'], runDir, options.log);
      if (postgresUrl) {
        database = { kind: 'postgres', ...await movedDesk(postgresUrl, runDir, options.log) };
        env.DATABASE_URL = postgresUrl;
      }
    }
    const facts = readFacts(join(pgInPlace ? dataset.dir : runDir, 'deskbell.db'));
    const server = await serve(SERVER, [], env, '/healthz');
    stops.push(server);
    options.log(`server up in ${server.startupMs.toFixed(0)} ms on ${server.url}`);
    const [agent, customer] = [await logIn(server.url, 'agent@demo.test', dataset.password), await logIn(server.url, 'customer@acme.test', dataset.password)];
    const list = await get(server.url, '/agent/tickets', agent);
    const hasSearch = (await get(server.url, `${SEARCH_PATH}?q=${COMMON_TERM}`, agent)).status !== 404;
    // Reports (issue 21): a supervisor's report covers every ticket, an agent's only their own.
    const supervisor = await logIn(server.url, 'supervisor@demo.test', dataset.password);
    const hasReports = (await get(server.url, '/agent/reports', supervisor)).status !== 404;
    // The portal case's customers, logged in only when it runs (a login is a password hash: ~0.1 s).
    const filers = chosen('create a ticket (portal form)', options.only)
      ? await Promise.all(facts.filers.map((email) => (email === 'customer@acme.test' ? customer : logIn(server.url, email, dataset.password))))
      : [];
    const cases = buildCases({ agent, customer, supervisor, facts, deepCursor: await cursorAfter(server.url, agent, 40), hasSearch, hasReports, filers },
      { common: COMMON_TERM, rare: RARE_TERM }).filter((c) => chosen(c.name, options.only));

    const listPageBytes = Buffer.byteLength(list.body);
    const floor = await serve(FLOOR_SERVER, [String(listPageBytes)], {}, '/healthz');
    stops.push(floor);
    const floorCase: BenchCase = { name: 'floor', kind: 'read', session: { cookie: '', csrf: '' }, path: '/', expect: 2 };
    const floorResults: Measurement[] = [];
    for (const connections of options.connections) floorResults.push(await measure(floor.url, [floor.pid], floorCase, connections, options.seconds));
    await floor.stop();

    const caseOptions = { ...options, ...(postgresUrl ? { databaseIdle: () => databaseIdle(postgresUrl), databasePids: () => databasePids(postgresUrl) } : {}) };
    const reports = await measureCases(server.url, [server.pid], cases, caseOptions);
    const serverPeakRss = memoryOf(server.pid).peak;
    const instances = options.instances === 2 ? await compareInstances(server, env, cases, caseOptions, stops) : undefined;
    return {
      dataset, database, startupMs: server.startupMs, serverPeakRss, listPageBytes, floor: floorResults, cases: reports,
      ...(instances ? { instances } : {}),
    };
  } finally {
    for (const served of stops) await served.stop();
    if (postgresUrl && (options.keepDatabase || pgInPlace)) options.log(`the bench database is kept: drop it with  dropdb ${new URL(postgresUrl).pathname.slice(1)}  when done`);
    else if (postgresUrl) await dropBenchDatabase(postgresUrl);
    if (!options.inPlace || pgInPlace) rmSync(runDir, { recursive: true, force: true });
  }
}

/** Follow the list's "older tickets" link up to `pages` times, as an agent paging back would. */
async function cursorAfter(baseUrl: string, agent: Session, pages: number): Promise<string> {
  let cursor = '';
  for (let i = 0; i < pages; i++) {
    const page = await get(baseUrl, `/agent/tickets${cursor ? `?after=${encodeURIComponent(cursor)}` : ''}`, agent);
    const next = /[?&;]after=([^"&]+)/.exec(page.body)?.[1];
    if (!next) break;
    cursor = decodeURIComponent(next);
  }
  return cursor;
}

/** Whether `--only` keeps the case named `name`. */
export function chosen(name: string, only: string[] | undefined): boolean {
  return !only?.length || only.some((part) => name.toLowerCase().includes(part.toLowerCase()));
}
