import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type SQLite from 'better-sqlite3';

/** Automatic copies taken before a schema upgrade: DATA_DIR/backups/pre-<version>-<time>.db. */
export const snapshotDir = (dataDir: string) => join(dataDir, 'backups');

const SNAPSHOT = /^pre-.+-\d{8}T\d{6}(\d{3})?Z\.db$/;

/**
 * Copy the open database (one consistent read, VACUUM INTO) to a new snapshot and keep only the
 * newest `keep` of them. Returns the new file's path.
 */
export function takeSnapshot(sqlite: SQLite.Database, dataDir: string, version: string, keep: number, now = new Date()): string {
  const dir = snapshotDir(dataDir);
  mkdirSync(dir, { recursive: true });
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '');
  const path = join(dir, `pre-${version.replace(/[^\w.-]/g, '_')}-${stamp}.db`);
  sqlite.prepare('vacuum into ?').run(path);
  for (const old of listSnapshots(dataDir).slice(keep)) rmSync(old, { force: true });
  return path;
}

/** The snapshots, newest first (by modification time, then name). */
export function listSnapshots(dataDir: string): string[] {
  const dir = snapshotDir(dataDir);
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => SNAPSHOT.test(name));
  } catch {
    return [];
  }
  return names.map((name) => ({ path: join(dir, name), name, mtime: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime || b.name.localeCompare(a.name))
    .map((s) => s.path);
}
