import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openSqlite } from '../db/connect.js';
import { runningServerPid } from './pidfile.js';
import { listSnapshots, pruneSnapshots, snapshotDir } from './snapshots.js';

export class RestoreRefused extends Error {}

/**
 * Put FILE in place of the desk's database. Refuses while a server runs over the data directory,
 * and refuses a file that is not a sound Deskbell database. The current database is first copied to
 * DATA_DIR/backups/before-restore-<time>.db, so a restore can itself be undone (the newest `keep`
 * of those are kept).
 */
export function restoreDatabase(databasePath: string, dataDir: string, file: string, keep: number, now = new Date()): { restored: string; previous: string | null } {
  const source = resolve(file);
  const pid = runningServerPid(dataDir);
  if (pid !== null && pid !== process.pid) {
    throw new RestoreRefused(`a Deskbell server (pid ${pid}) is running over ${dataDir}; stop it first`);
  }
  if (!existsSync(source)) throw new RestoreRefused(`${source} does not exist`);
  checkRestorable(source);

  let previous: string | null = null;
  if (existsSync(databasePath)) {
    mkdirSync(snapshotDir(dataDir), { recursive: true });
    previous = join(snapshotDir(dataDir), `before-restore-${now.toISOString().replace(/[-:.]/g, '')}.db`);
    const current = openSqlite(databasePath);
    try {
      current.prepare('vacuum into ?').run(previous); // includes what is still in the WAL
    } finally {
      current.close(); // the last connection: checkpoints and removes the WAL
    }
    pruneSnapshots(dataDir, 'before-restore', keep);
  }
  const temporary = `${databasePath}.restoring-${process.pid}`;
  try {
    copyFileSync(source, temporary);
    rmSync(`${databasePath}-wal`, { force: true });
    rmSync(`${databasePath}-shm`, { force: true });
    renameSync(temporary, databasePath);
  } finally {
    rmSync(temporary, { force: true });
  }
  return { restored: source, previous };
}

/** `deskbell rollback`: restore the newest snapshot taken before an upgrade. */
export function rollbackDatabase(databasePath: string, dataDir: string, keep: number): { restored: string; previous: string | null } {
  const newest = listSnapshots(dataDir)[0];
  if (!newest) throw new RestoreRefused(`no snapshot in ${snapshotDir(dataDir)}: nothing to roll back to`);
  return restoreDatabase(databasePath, dataDir, newest, keep);
}

function checkRestorable(path: string): void {
  let sqlite;
  try {
    sqlite = openSqlite(path, { readonly: true });
  } catch (error) {
    throw new RestoreRefused(`${path} is not a database: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    const result = sqlite.pragma('integrity_check', { simple: true });
    if (result !== 'ok') throw new RestoreRefused(`${path} fails the integrity check: ${String(result)}`);
    const table = sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = 'kysely_migration'").get();
    if (!table) throw new RestoreRefused(`${path} is not a Deskbell database (it has no migration table)`);
  } catch (error) {
    if (error instanceof RestoreRefused) throw error;
    throw new RestoreRefused(`${path} is not a database: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    sqlite.close();
  }
}
