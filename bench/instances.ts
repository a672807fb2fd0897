// One instance against two (`--instances 2`, PostgreSQL): the same cases through nginx, first in
// front of the instance already measured, then in front of it and a second one over the same
// database. Both go through the proxy, so the comparison is of instances, not of the proxy's cost
// (which the direct run above shows). Without nginx the part says why and is skipped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchCase } from './cases.js';
import { measureCases, type CaseOptions, type CaseReport } from './load.js';
import { findNginx, nginxErrors, nginxVersion, requestsPerUpstream, startNginx } from './nginx.js';
import { SERVER } from './paths.js';
import { serve, type Served } from './process.js';

export interface InstancesReport {
  /** Why the comparison did not run (no nginx). */
  skipped?: string;
  /** "nginx 1.22.1". */
  proxy?: string;
  one: CaseReport[];
  two: CaseReport[];
  /** The second instance's spawn to /healthz 200. */
  secondStartupMs?: number;
  /** Requests each instance answered during the two-instance cases (nginx's log), first instance first. */
  twoShares?: number[];
}

interface Options extends CaseOptions { nginx?: string }

export async function compareInstances(first: Served, env: Record<string, string>, cases: BenchCase[], options: Options, stops: Served[]): Promise<InstancesReport> {
  const binary = findNginx(options.nginx);
  if (!binary) {
    const where = options.nginx ?? 'on the PATH or in /usr/sbin';
    options.log(`nginx not found (${where}): the two-instance comparison is skipped`);
    return { skipped: `nginx not found (${where}); install it (Debian: apt-get install nginx) to compare one instance with two`, one: [], two: [] };
  }
  const dir = mkdtempSync(join(tmpdir(), 'deskbell-bench-nginx-'));
  try {
    options.log(`nginx (${binary}) in front of one instance`);
    const one = await behind(binary, [first], join(dir, 'one'), cases, options);
    const second = await serve(SERVER, [], env, '/healthz');
    stops.push(second);
    options.log(`second instance up in ${second.startupMs.toFixed(0)} ms on ${second.url}; nginx in front of both`);
    const two = await behind(binary, [first, second], join(dir, 'two'), cases, options);
    const counts = requestsPerUpstream(join(dir, 'two'));
    return {
      proxy: nginxVersion(binary), one, two, secondStartupMs: second.startupMs,
      twoShares: [first, second].map((s) => counts[new URL(s.url).host] ?? 0),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function behind(binary: string, instances: Served[], dir: string, cases: BenchCase[], options: Options): Promise<CaseReport[]> {
  const proxy = await startNginx(binary, instances.map((s) => s.url), dir, '/healthz');
  try {
    return await measureCases(proxy.url, instances.map((s) => s.pid), cases, options);
  } finally {
    await proxy.stop();
    const errors = nginxErrors(dir);
    if (errors.length > 0) options.log(`nginx logged ${errors.length} warning(s) or error(s), the first: ${errors[0]}`);
  }
}
