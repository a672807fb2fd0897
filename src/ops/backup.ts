import { existsSync, linkSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { openSqlite } from '../db/connect.js';

/**
 * A consistent copy of the live database, safe while the server runs and writes: VACUUM INTO reads
 * one snapshot (WAL readers never block the writer) and writes a compact file. It is written under a
 * temporary name and then linked to the final one, so a half-written backup never carries the final
 * name, and a file that appeared there meanwhile is not replaced (a rename would overwrite it).
 */
export function backupDatabase(databasePath: string, target: string): { path: string } {
  const path = resolve(target);
  if (existsSync(path)) throw new Error(`${path} already exists; choose a new file name`);
  if (!existsSync(databasePath)) throw new Error(`no database at ${databasePath}`);
  const temporary = `${path}.partial-${process.pid}`;
  const sqlite = openSqlite(databasePath);
  try {
    sqlite.prepare('vacuum into ?').run(temporary);
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
    return { path };
  } finally {
    rmSync(temporary, { force: true });
    sqlite.close();
  }
}
