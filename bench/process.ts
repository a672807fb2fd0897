// Child processes under test: the real Deskbell server and the bare Fastify floor. Each gets a free
// loopback port; "started" means its health URL answered 200.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface Served {
  url: string;
  pid: number;
  /** From spawn to the first 200 of the health URL. */
  startupMs: number;
  stop: () => Promise<void>;
}

export async function serve(script: string, args: string[], env: Record<string, string>, healthPath: string): Promise<Served> {
  const port = await freePort();
  const started = performance.now();
  // BENCH_NODE_FLAGS (say "--cpu-prof --cpu-prof-dir=/tmp/prof") goes to the servers' node, to profile a case.
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...flags, script, ...args], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), ...env }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}: ${stderr}`);
    const ok = await fetch(url + healthPath).then((res) => res.status === 200, () => false);
    if (ok) break;
    if (performance.now() - started > 60_000) throw new Error(`${script} did not answer within 60 s: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { url, pid: child.pid!, startupMs: performance.now() - started, stop: () => stop(child) };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resident memory of a process in bytes, from /proc (Linux): the current value and the peak. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/**
 * Samples the RSS of the processes while a measurement runs; `stop` returns the highest value seen
 * of any one of them (each instance is one server process with its own memory).
 */
export function sampleMemory(pids: number[], everyMs = 50): { stop: () => number } {
  const highest = () => Math.max(...pids.map((pid) => memoryOf(pid).rss));
  let max = highest();
  const timer = setInterval(() => { max = Math.max(max, highest()); }, everyMs);
  return { stop: () => { clearInterval(timer); return Math.max(max, highest()); } };
}

/**
 * A clock of the processes' CPU time: `elapsed()` is the CPU they used since it was started, in ms,
 * counting only the processes still there (a database backend that ended meanwhile would otherwise
 * take its whole past off the sum).
 */
export function cpuClock(pids: number[]): { elapsed: () => number } {
  const before = pids.map((pid) => stat(pid).ticks);
  return {
    elapsed: () => pids.reduce((sum, pid, i) => {
      const now = stat(pid).ticks;
      return now >= before[i]! ? sum + (now - before[i]!) * 10 : sum;
    }, 0),
  };
}

/**
 * A clock of the whole machine: `busy()` is the share of all its cores that was busy since it was
 * started (0..1, from /proc/stat: everything but idle and I/O wait), NaN where /proc is not there.
 */
export function machineClock(): { busy: () => number } {
  const read = () => {
    try {
      const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
      const idle = fields[3]! + (fields[4] ?? 0);
      return { total: fields.slice(0, 8).reduce((a, b) => a + b, 0), idle };
    } catch {
      return null;
    }
  };
  const before = read();
  return {
    busy: () => {
      const now = read();
      if (!before || !now || now.total <= before.total) return NaN;
      return 1 - (now.idle - before.idle) / (now.total - before.total);
    },
  };
}

/** A process's CPU time so far (user + system, all its threads), in ms; 0 once it is gone. */
export function cpuTimeOf(pid: number): number {
  return stat(pid).ticks * 10;
}

/** A process's CPU time so far (user + system, in clock ticks of 1/100 s) and its state letter, from /proc. */
function stat(pid: number): { ticks: number; state: string } {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return { ticks: Number(fields[11]) + Number(fields[12]), state: fields[0]! };
  } catch {
    return { ticks: 0, state: 'gone' };
  }
}

/**
 * Wait until the processes are idle and `alsoIdle` agrees (the database: no query running), at most
 * `maxMs`; resolves to the time waited. Idle: under 15 % of a core over 200 ms and never runnable
 * ("R") when looked at every 50 ms in that time — a process starved of CPU on a loaded machine uses
 * little but is still waiting to run. Requests the load generator stopped waiting for at the end of
 * a measurement still run on the server (a slow search for many seconds): the next measurement must
 * not start under them.
 */
export async function settle(pids: number[], alsoIdle: () => Promise<boolean> = async () => true, maxMs = 60_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const before = pids.map((pid) => stat(pid).ticks);
    let runnable = false;
    for (let look = 0; look < 4; look++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      runnable ||= pids.some((pid) => stat(pid).state === 'R');
    }
    const busy = runnable || pids.some((pid, i) => stat(pid).ticks - before[i]! >= 3);
    if ((!busy && await alsoIdle()) || performance.now() - started > maxMs) return performance.now() - started;
  }
}
