import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type SQLite from 'better-sqlite3';

/** Automatic copies taken before a schema upgrade: DATA_DIR/backups/pre-<version>-<time>.db. */
export const snapshotDir = (dataDir: string) => join(dataDir, 'backups');

/** `pre`: taken before an upgrade (what rollback restores); `before-restore`: the database a restore replaced. */
export type SnapshotKind = 'pre' | 'before-restore';
const PATTERNS: Record<SnapshotKind, RegExp> = {
  pre: /^pre-.+-\d{8}T\d{6}(\d{3})?Z\.db$/,
  'before-restore': /^before-restore-\d{8}T\d{9}Z\.db$/,
};

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
  pruneSnapshots(dataDir, 'pre', keep);
  return path;
}

/** Remove all but the newest `keep` snapshots of a kind. */
export function pruneSnapshots(dataDir: string, kind: SnapshotKind, keep: number): void {
  for (const old of listSnapshots(dataDir, kind).slice(keep)) rmSync(old, { force: true });
}

/** The snapshots of a kind, newest first (by modification time, then name). */
export function listSnapshots(dataDir: string, kind: SnapshotKind = 'pre'): string[] {
  const dir = snapshotDir(dataDir);
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => PATTERNS[kind].test(name));
  } catch {
    return [];
  }
  return names.map((name) => ({ path: join(dir, name), name, mtime: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime || b.name.localeCompare(a.name))
    .map((s) => s.path);
}
