import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli.js';
import { loadConfig } from '../../src/config.js';
import { databaseEnv } from './database.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Run `deskbell ...argv` in this process over the data directory `dir`, collecting what it prints. */
export async function cli(dir: string, ...argv: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const database = await databaseEnv(dir);
  const code = await runCli(argv, { out: (s) => { out += s; }, err: (s) => { err += s; } },
    () => loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', ...database }));
  return { code, out, err };
}

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'deskbell.js');

/** Whether `npm run build` has produced the CLI that bin/deskbell.js runs (npm test builds first). */
export const built = () => existsSync(join(ROOT, 'dist', 'src', 'cli.js'));

/**
 * Run the real `node bin/deskbell.js ...argv` as a child process, with a clean environment (on
 * PostgreSQL, DATABASE_URL of the directory's database).
 */
export async function spawnCli(dir: string, argv: string[], env: Record<string, string> = {}, stdin?: Buffer): Promise<CliResult> {
  const database = await databaseEnv(dir);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: dir, DATA_DIR: dir, LOG_LEVEL: 'silent', ...database, ...env },
      stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    child.stderr!.on('data', (chunk: Buffer) => { err += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
    if (stdin) child.stdin!.end(stdin);
  });
}
