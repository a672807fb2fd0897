// `node dist/bench/startup.js [--runs 10] [--fresh | --data DIR] [--cold] [CHECKOUT...]`: the
// server's start-up as `npm run bench` measures it (process.ts: from the spawn of
// dist/src/server.js to the first 200 of /healthz), started again and again, the checkouts in turn
// (each built; default this one), so that a busy machine slows them alike. On an empty desk made by
// each checkout's `deskbell migrate` and copied for every start; `--fresh`: an empty directory (the
// start migrates it); `--data DIR`: that desk itself, every time. `--cold`: every start with an
// empty compile cache (src/compile-cache.ts), as the first start after an install.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from './paths.js';
import { cpuTimeOf, serve } from './process.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: 'string', default: '10' }, fresh: { type: 'boolean', default: false }, data: { type: 'string' }, cold: { type: 'boolean', default: false } },
});
const runs = Number(values.runs);
if (!Number.isSafeInteger(runs) || runs < 1 || (values.fresh && values.data)) {
  process.stderr.write('usage: node dist/bench/startup.js [--runs N] [--fresh | --data DIR] [--cold] [CHECKOUT...]\n');
  process.exit(2);
}
const checkouts = (positionals.length ? positionals : [ROOT]).map((path) => resolve(path));
const work = mkdtempSync(join(tmpdir(), 'deskbell-startup-'));

/** An empty desk at each checkout's schema, made once. */
const templates = new Map(checkouts.map((checkout, i) => {
  const dir = join(work, `template-${i}`);
  if (!values.fresh && !values.data) {
    execFileSync(process.execPath, [join(checkout, 'bin', 'deskbell.js'), 'migrate'], { env: { PATH: process.env.PATH ?? '', DATA_DIR: dir, LOG_LEVEL: 'warn' }, stdio: 'ignore' });
  }
  return [checkout, dir];
}));

/** One start: the time to the first 200 of /healthz, and the CPU the process had used by then. */
async function start(checkout: string, n: number): Promise<{ ms: number; cpuMs: number }> {
  const dir = values.data ?? join(work, `desk-${n}`);
  if (!values.data && !values.fresh) cpSync(templates.get(checkout)!, dir, { recursive: true });
  const env: Record<string, string> = { DATA_DIR: dir, LOG_LEVEL: 'warn' };
  if (values.cold) env.NODE_COMPILE_CACHE = join(work, `compile-cache-${n}`);
  const server = await serve(join(checkout, 'dist', 'src', 'server.js'), [], env, '/healthz');
  const cpuMs = cpuTimeOf(server.pid);
  await server.stop();
  if (!values.data) rmSync(dir, { recursive: true, force: true });
  return { ms: server.startupMs, cpuMs };
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

try {
  const results = new Map(checkouts.map((checkout) => [checkout, [] as { ms: number; cpuMs: number }[]]));
  let n = 0;
  for (let run = 0; run < runs; run++) {
    for (const checkout of checkouts) results.get(checkout)!.push(await start(checkout, n++));
  }
  for (const [checkout, list] of results) {
    const ms = list.map((r) => r.ms);
    process.stdout.write(`${checkout}: start-up median ${median(ms).toFixed(0)} ms (min ${Math.min(...ms).toFixed(0)}, max ${Math.max(...ms).toFixed(0)}), `
      + `CPU by then ${median(list.map((r) => r.cpuMs)).toFixed(0)} ms; ${ms.map((m) => m.toFixed(0)).join(' ')}\n`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
