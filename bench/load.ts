// One measurement: autocannon against one case at one number of connections, with our own record of
// every response (status and latency), so percentiles and failures are exact.
import autocannon from 'autocannon';
import type { BenchCase } from './cases.js';
import { sampleMemory } from './process.js';

export interface Measurement {
  connections: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  responses: number;
  /** Responses outside the expected status class, plus connection errors and timeouts. */
  failures: number;
  statuses: Record<number, number>;
  /** Highest resident memory of the server during the measurement, in bytes. */
  peakRss: number;
}

export async function measure(baseUrl: string, pid: number, testCase: BenchCase, connections: number, seconds: number): Promise<Measurement> {
  const headers: Record<string, string> = { cookie: testCase.session.cookie };
  let n = 0;
  const request = testCase.form
    ? {
      method: 'POST', path: testCase.path, headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      setupRequest: (req: { path?: string; body?: string }) => {
        const next = testCase.form!(n++);
        return { ...req, path: next.path, body: new URLSearchParams({ _csrf: testCase.session.csrf, ...next.body }).toString() };
      },
    }
    : { method: 'GET', path: testCase.path, headers };
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  const memory = sampleMemory(pid);
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
    statuses,
    peakRss,
  };
}
