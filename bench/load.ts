// One measurement: autocannon against one case at one number of connections, with our own record of
// every response (status and latency), so percentiles and failures are exact.
import autocannon from 'autocannon';
import type { BenchCase } from './cases.js';
import { cpuClock, machineClock, sampleMemory, settle } from './process.js';
import { get } from './session.js';

export interface Measurement {
  connections: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  responses: number;
  /** Responses outside the expected status class, plus connection errors and timeouts. */
  failures: number;
  /**
   * Requests sent but not answered when the measurement ended (up to one per connection normally;
   * all of them when every answer takes longer than the measurement).
   */
  unanswered: number;
  seconds: number;
  statuses: Record<number, number>;
  /** Highest resident memory of the server (of any one instance) during the measurement, in bytes. */
  peakRss: number;
  /**
   * The server's CPU time per response, in ms (all its threads; read from /proc before and after,
   * in 10 ms ticks, so it is exact enough over a measurement of hundreds of responses).
   */
  cpuMs: number;
  /**
   * On PostgreSQL: the CPU time of the bench database's server processes (its client backends) per
   * response, in ms, read in the same way; absent on SQLite, where the database runs in the server.
   */
  databaseCpuMs?: number;
  /** How busy the whole machine was during the measurement: the share of all its cores (0..1). */
  machineBusy?: number;
}

export interface CaseReport {
  name: string;
  kind: BenchCase['kind'];
  skipped?: string;
  results: Measurement[];
}

export interface CaseOptions {
  connections: number[];
  seconds: number;
  warmup?: number;
  log: (line: string) => void;
  /** Whether the database is idle too (PostgreSQL: no query running), for `settle`. */
  databaseIdle?: () => Promise<boolean>;
  /** The database's server processes serving the bench (PostgreSQL's backends), looked up before each measurement. */
  databasePids?: () => Promise<number[]>;
}

/**
 * Every case at every number of connections against `baseUrl`, pages after `warmup` requests each,
 * each measurement once the server and the database are idle; `pids` are the server processes
 * (their memory is sampled).
 */
export async function measureCases(baseUrl: string, pids: number[], cases: BenchCase[], options: CaseOptions): Promise<CaseReport[]> {
  const reports: CaseReport[] = [];
  for (const testCase of cases) {
    const report: CaseReport = { name: testCase.name, kind: testCase.kind, results: [], ...(testCase.skipped ? { skipped: testCase.skipped } : {}) };
    reports.push(report);
    if (testCase.skipped) continue;
    options.log(`measuring: ${testCase.name}`);
    const idle = async () => {
      const waited = await settle(pids, options.databaseIdle);
      if (waited > 1000) options.log(`waited ${(waited / 1000).toFixed(1)} s for the server and the database to be idle (requests left running by the measurement before)`);
    };
    await idle();
    if (!testCase.form) for (let i = 0; i < (options.warmup ?? 20); i++) await get(baseUrl, testCase.path, testCase.session);
    for (const connections of options.connections) {
      await idle();
      report.results.push(await measure(baseUrl, pids, testCase, connections, options.seconds, await options.databasePids?.()));
    }
  }
  return reports;
}

export async function measure(baseUrl: string, pids: number[], testCase: BenchCase, connections: number, seconds: number, databasePids?: number[]): Promise<Measurement> {
  const headers: Record<string, string> = { ...testCase.headers, cookie: testCase.session.cookie };
  let n = 0;
  const request = testCase.form
    ? {
      method: 'POST', path: testCase.path, headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      setupRequest: (req: { path?: string; body?: string; headers?: Record<string, string> }) => {
        const by = testCase.sessions ? testCase.sessions[n % testCase.sessions.length]! : testCase.session;
        const next = testCase.form!(n++);
        return { ...req, path: next.path, headers: { ...req.headers, cookie: by.cookie }, body: new URLSearchParams({ _csrf: by.csrf, ...next.body }).toString() };
      },
    }
    : { method: 'GET', path: testCase.path, headers };
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  const memory = sampleMemory(pids);
  const cpu = cpuClock(pids);
  const databaseCpu = databasePids ? cpuClock(databasePids) : undefined;
  const machine = machineClock();
  const instance = autocannon({ url: baseUrl, connections, duration: seconds, timeout: 10, requests: [request] });
  instance.on('response', (_client, status, _bytes, ms) => {
    latencies.push(ms);
    statuses[status] = (statuses[status] ?? 0) + 1;
  });
  const result = await instance;
  const peakRss = memory.stop();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! : NaN;
  const expected = Object.entries(statuses).filter(([code]) => Math.floor(Number(code) / 100) === testCase.expect).reduce((sum, [, c]) => sum + c, 0);
  return {
    connections,
    requestsPerSecond: latencies.length / Math.max(result.duration, 0.001),
    p50: at(0.5), p95: at(0.95), p99: at(0.99),
    responses: latencies.length,
    failures: latencies.length - expected + result.errors,
    unanswered: Math.max(0, result.requests.sent - latencies.length - result.errors),
    seconds,
    statuses,
    peakRss,
    cpuMs: latencies.length ? cpu.elapsed() / latencies.length : NaN,
    machineBusy: machine.busy(),
    ...(databaseCpu ? { databaseCpuMs: latencies.length ? databaseCpu.elapsed() / latencies.length : NaN } : {}),
  };
}
