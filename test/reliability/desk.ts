// The real server (`node dist/src/server.js`) as a child process over one data directory that
// outlives it: started, SIGKILLed, started again on the same port. Shared by the in-suite tests
// (test/reliability/*.test.ts) and the full-size runs (test/stress/*.stress.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { freePort, ROOT, SERVER_ENTRY } from '../e2e/browser.js';
import { spawnCli } from '../helpers/cli.js';

export { ROOT };

export interface ServerDesk {
  dir: string;
  url: string;
  port: number;
  database: string;
  uploads: string;
  /** Everything every server process wrote, across restarts. */
  log: () => string;
  start: () => Promise<void>;
  /** SIGKILL: no clean-up of any kind, as a power cut would leave it (minus the page cache). */
  kill: () => Promise<void>;
  /** SIGTERM and wait for the graceful exit; resolves to the exit code. */
  stop: () => Promise<number | null>;
  running: () => boolean;
}

/** A data dir with `deskbell demo --tickets N`; resolves to the demo password. */
export async function demoData(dir: string, tickets: number): Promise<string> {
  const demo = await spawnCli(dir, ['demo', '--tickets', String(tickets)]);
  if (demo.code !== 0) throw new Error(`deskbell demo failed: ${demo.err}`);
  // Its customers submit far more than a person would: lift the portal's flood guard (20 an hour).
  const sqlite = new SQLite(join(dir, 'deskbell.db'));
  sqlite.prepare(`insert into settings (key, value) values ('portal.tickets_per_hour', '1000000')
    on conflict (key) do update set value = excluded.value`).run();
  sqlite.close();
  return /with password (\S+) as:/.exec(demo.out)![1]!;
}

export async function serverDesk(dir: string, env: Record<string, string> = {}): Promise<ServerDesk> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  let child: ChildProcess | null = null;
  let exited: Promise<number | null> = Promise.resolve(null);

  const start = async () => {
    if (child) throw new Error('already running');
    const proc = spawn(process.execPath, [SERVER_ENTRY], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '', HOME: dir, NODE_ENV: 'production', LOG_LEVEL: 'warn',
        DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1', ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    proc.stdout!.setEncoding('utf8').on('data', (s: string) => { output += s; });
    proc.stderr!.setEncoding('utf8').on('data', (s: string) => { output += s; });
    exited = new Promise((resolve) => proc.once('exit', (code) => { child = null; resolve(code); }));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child !== proc) throw new Error(`the server exited on start\n${output}`);
      if (Date.now() > deadline) throw new Error(`no answer from /healthz within 30 s\n${output}`);
      if (await fetch(`${url}/healthz`).then((r) => r.status === 200, () => false)) return;
      await sleep(20);
    }
  };
  const kill = async () => {
    const proc = child as ChildProcess | null;
    if (!proc) return;
    proc.kill('SIGKILL');
    await exited;
  };
  const stop = async () => {
    const proc = child as ChildProcess | null;
    if (!proc) return null;
    proc.kill('SIGTERM');
    return exited;
  };
  return {
    dir, url, port, database: join(dir, 'deskbell.db'), uploads: join(dir, 'uploads'),
    log: () => output, start, kill, stop, running: () => child !== null,
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Lines of the server log that say SQLite was busy: none may surface. */
export function busyLines(log: string): string[] {
  return log.split('\n').filter((line) => /SQLITE_BUSY|database is locked/i.test(line));
}

/** Stored files under uploads/ (not tmp/), and temporary files under uploads/tmp. */
export function uploadFiles(uploads: string): { stored: string[]; temp: string[] } {
  const stored: string[] = [];
  const list = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);
  for (const a of list(uploads)) {
    if (a === 'tmp') continue;
    for (const b of list(join(uploads, a))) stored.push(...list(join(uploads, a, b)));
  }
  return { stored, temp: list(join(uploads, 'tmp')) };
}

/** Open the database as the next process would (recovering the WAL), run `fn`, close. */
export function inspect<T>(database: string, fn: (db: SQLite.Database) => T): T {
  const db = new SQLite(database);
  db.pragma('busy_timeout = 5000');
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
