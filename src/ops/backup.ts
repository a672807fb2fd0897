import { spawn } from 'node:child_process';
import { existsSync, linkSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DatabaseConfig } from '../config.js';
import { openSqlite } from '../db/connect.js';

/**
 * `deskbell backup FILE`: a consistent copy of the live desk, safe while the server runs and writes.
 * It is written under a temporary name and then linked to the final one, so a half-written backup
 * never carries the final name, and a file that appeared there meanwhile is not replaced (a rename
 * would overwrite it).
 */
export async function backupDesk(database: DatabaseConfig, target: string): Promise<{ path: string }> {
  const path = resolve(target);
  if (database.kind === 'sqlite' && !existsSync(database.path)) throw new Error(`no database at ${database.path}`);
  if (existsSync(path)) throw new Error(`${path} already exists; choose a new file name`);
  const temporary = `${path}.partial-${process.pid}`;
  try {
    if (database.kind === 'sqlite') copySqlite(database.path, temporary);
    else await pgDump(database.url, temporary);
    linkOnce(temporary, path);
    return { path };
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** SQLite: VACUUM INTO reads one snapshot (WAL readers never block the writer) and writes a compact file. */
function copySqlite(databasePath: string, file: string): void {
  const sqlite = openSqlite(databasePath);
  try {
    sqlite.prepare('vacuum into ?').run(file);
  } finally {
    sqlite.close();
  }
}

/**
 * PostgreSQL: `pg_dump --format=custom`, one consistent snapshot while the instances keep writing,
 * restored with `pg_restore` (docs/backups.md). pg_dump must be on PATH, of the server's major
 * version or newer; its own message says what went wrong otherwise.
 */
function pgDump(url: string, file: string): Promise<void> {
  return new Promise((done, fail) => {
    // The password goes in the environment, not in the arguments other users' `ps` shows.
    const address = new URL(url);
    const password = decodeURIComponent(address.password);
    address.password = '';
    const child = spawn('pg_dump', ['--format=custom', `--file=${file}`, '--no-password', `--dbname=${address.href}`], {
      env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.on('error', (error: NodeJS.ErrnoException) => fail(error.code === 'ENOENT'
      ? new Error("pg_dump was not found on PATH: install the PostgreSQL client tools (the server's major version or newer), or back up with your provider's tools (docs/backups.md)")
      : error));
    child.on('close', (code) => (code === 0 ? done() : fail(new Error(`pg_dump failed (exit code ${code}): ${stderr.trim() || 'no message'}`))));
  });
}

function linkOnce(temporary: string, path: string): void {
  try {
    linkSync(temporary, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new Error(`${path} already exists; choose a new file name`);
    // A file system without hard links: fall back to a rename, checking the name once more.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
    if (existsSync(path)) throw new Error(`${path} already exists; choose a new file name`);
    renameSync(temporary, path);
  }
}
