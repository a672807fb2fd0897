// The benchmark's database: built once per size and generator version by `deskbell demo`, kept in a
// cache directory, and copied for every run so the writes of one run never leak into the next.
import { spawn } from 'node:child_process';
import { constants, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSqlite } from '../src/db/connect.js';
import { DEMO_VERSION } from '../src/ops/demo.js';
import { ROOT } from './paths.js';

export interface Dataset {
  tickets: number;
  password: string;
  /** How long `deskbell demo` took when the cache entry was built. */
  buildSeconds: number;
  bytes: number;
  dir: string;
}

export async function ensureDataset(cacheDir: string, tickets: number, log: (line: string) => void): Promise<Dataset> {
  const dir = join(cacheDir, `demo-v${DEMO_VERSION}-${tickets}`);
  const meta = join(dir, 'dataset.json');
  if (existsSync(meta)) return { ...(JSON.parse(readFileSync(meta, 'utf8')) as Omit<Dataset, 'dir'>), dir };

  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  log(`building a ${tickets.toLocaleString('en')}-ticket database in ${dir} (once; later runs reuse it)`);
  const started = Date.now();
  const out = await runDeskbell(['demo', '--tickets', String(tickets)], partial, log);
  const password = /with password (\S+) as:/.exec(out)?.[1];
  if (!password) throw new Error(`deskbell demo printed no password:\n${out}`);
  const dataset = { tickets, password, buildSeconds: (Date.now() - started) / 1000, bytes: statSync(join(partial, 'deskbell.db')).size };
  writeFileSync(join(partial, 'dataset.json'), JSON.stringify(dataset, null, 2));
  renameSync(partial, dir);
  return { ...dataset, dir };
}

/**
 * A fresh copy of the cached database (a reflink where the file system can) for one run; `key`: only
 * the desk's key (a run on a PostgreSQL database that already holds the desk).
 */
export function copyDataset(dataset: Dataset, runDir: string, only?: { key: true }): void {
  mkdirSync(runDir, { recursive: true });
  for (const file of only?.key ? ['secret.key'] : ['deskbell.db', 'secret.key']) {
    copyFileSync(join(dataset.dir, file), join(runDir, file), constants.COPYFILE_FICLONE);
  }
  if (!only?.key) allowBulkSubmissions(join(runDir, 'deskbell.db'));
}

/**
 * The bench's customer submits thousands of tickets a minute: lift the portal's flood guard (the
 * admin setting portal.tickets_per_hour, 20 by default) so the case measures ticket creation.
 */
export function allowBulkSubmissions(databasePath: string): void {
  const sqlite = openSqlite(databasePath);
  try {
    sqlite.prepare(`insert into settings (key, value) values ('portal.tickets_per_hour', '1000000')
      on conflict (key) do update set value = excluded.value`).run();
  } finally {
    sqlite.close();
  }
}

/** `deskbell ARGS` over `dataDir` (and `env`'s DATABASE_URL, if given) as a child process: its stdout; its stderr lines go to `log`. */
export function runDeskbell(args: string[], dataDir: string, log: (line: string) => void, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'deskbell.js'), ...args], {
      env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { for (const line of chunk.toString().trim().split('\n')) if (line) log(line); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`deskbell ${args[0]} exited with ${code}:\n${out}`))));
  });
}
