// The whole benchmark as a function: data set, real server, logins, every case at every number of
// connections, and the bare-Fastify floor. bench/run.ts prints it; a test runs it on a tiny desk.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { COMMON_TERM, RARE_TERM } from '../src/ops/demo-text.js';
import { buildCases, SEARCH_PATH, type BenchCase } from './cases.js';
import { copyDataset, ensureDataset, type Dataset } from './dataset.js';
import { readFacts } from './facts.js';
import { measure, type Measurement } from './load.js';
import { FLOOR_SERVER, SERVER } from './paths.js';
import { memoryOf, serve, type Served } from './process.js';
import { logIn, type Session } from './session.js';

export interface BenchOptions {
  tickets: number;
  seconds: number;
  connections: number[];
  cacheDir: string;
  /** Requests sent to each page before it is measured (default 20). */
  warmup?: number;
  log: (line: string) => void;
}

export interface CaseReport {
  name: string;
  kind: BenchCase['kind'];
  skipped?: string;
  results: Measurement[];
}

export interface BenchReport {
  dataset: Dataset;
  startupMs: number;
  /** VmHWM of the server at the end of the run, in bytes. */
  serverPeakRss: number;
  listPageBytes: number;
  floor: Measurement[];
  cases: CaseReport[];
}

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const dataset = await ensureDataset(options.cacheDir, options.tickets, options.log);
  const runDir = mkdtempSync(join(options.cacheDir, 'run-'));
  const stops: Served[] = [];
  try {
    copyDataset(dataset, runDir);
    const facts = readFacts(join(runDir, 'deskbell.db'));
    const server = await serve(SERVER, [], { DATA_DIR: runDir, LOG_LEVEL: 'warn' }, '/healthz');
    stops.push(server);
    options.log(`server up in ${server.startupMs.toFixed(0)} ms on ${server.url}`);
    const [agent, customer] = [await logIn(server.url, 'agent@demo.test', dataset.password), await logIn(server.url, 'customer@acme.test', dataset.password)];
    const list = await get(server.url, '/agent/tickets', agent);
    const hasSearch = (await get(server.url, `${SEARCH_PATH}?q=${COMMON_TERM}`, agent)).status !== 404;
    const cases = buildCases({ agent, customer, facts, deepCursor: await cursorAfter(server.url, agent, 40), hasSearch },
      { common: COMMON_TERM, rare: RARE_TERM });

    const listPageBytes = Buffer.byteLength(list.body);
    const floor = await serve(FLOOR_SERVER, [String(listPageBytes)], {}, '/healthz');
    stops.push(floor);
    const floorCase: BenchCase = { name: 'floor', kind: 'read', session: { cookie: '', csrf: '' }, path: '/', expect: 2 };
    const floorResults: Measurement[] = [];
    for (const connections of options.connections) floorResults.push(await measure(floor.url, floor.pid, floorCase, connections, options.seconds));
    await floor.stop();

    const reports: CaseReport[] = [];
    for (const testCase of cases) {
      const report: CaseReport = { name: testCase.name, kind: testCase.kind, results: [], ...(testCase.skipped ? { skipped: testCase.skipped } : {}) };
      reports.push(report);
      if (testCase.skipped) continue;
      options.log(`measuring: ${testCase.name}`);
      if (!testCase.form) for (let i = 0; i < (options.warmup ?? 20); i++) await get(server.url, testCase.path, testCase.session);
      for (const connections of options.connections) {
        report.results.push(await measure(server.url, server.pid, testCase, connections, options.seconds));
      }
    }
    const serverPeakRss = memoryOf(server.pid).peak;
    return { dataset, startupMs: server.startupMs, serverPeakRss, listPageBytes, floor: floorResults, cases: reports };
  } finally {
    for (const served of stops) await served.stop();
    rmSync(runDir, { recursive: true, force: true });
  }
}

async function get(baseUrl: string, path: string, session: Session): Promise<{ status: number; body: string }> {
  const res = await fetch(baseUrl + path, { headers: { cookie: session.cookie }, redirect: 'manual' });
  return { status: res.status, body: await res.text() };
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
