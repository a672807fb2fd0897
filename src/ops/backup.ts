import { existsSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { openSqlite } from '../db/connect.js';

/**
 * A consistent copy of the live database, safe while the server runs and writes: VACUUM INTO reads
 * one snapshot (WAL readers never block the writer) and writes a compact file. It is written under a
 * temporary name and renamed, so a half-written backup never carries the final name.
 */
export function backupDatabase(databasePath: string, target: string): { path: string } {
  const path = resolve(target);
  if (existsSync(path)) throw new Error(`${path} already exists; choose a new file name`);
  if (!existsSync(databasePath)) throw new Error(`no database at ${databasePath}`);
  const temporary = `${path}.partial-${process.pid}`;
  const sqlite = openSqlite(databasePath);
  try {
    sqlite.prepare('vacuum into ?').run(temporary);
    renameSync(temporary, path);
    return { path };
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  } finally {
    sqlite.close();
  }
}
