import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `deskbell serve` leaves its process id in DATA_DIR/deskbell.pid while it runs, so commands that
 * replace the database file (restore, rollback) can refuse to pull it from under a live server.
 */
export const pidFile = (dataDir: string) => join(dataDir, 'deskbell.pid');

export function writePidFile(dataDir: string): () => void {
  const path = pidFile(dataDir);
  writeFileSync(path, `${process.pid}\n`);
  return () => {
    // Only remove our own file: a second server on the same data may have written its pid since.
    if (runningServerPid(dataDir) === process.pid) rmSync(path, { force: true });
  };
}

/** The pid of a server that runs over this data directory, or null (no file, or a stale one). */
export function runningServerPid(dataDir: string): number | null {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(pidFile(dataDir), 'utf8'), 10);
  } catch {
    return null;
  }
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else; still a running server.
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}
