import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import type { Db } from './connect.js';

/**
 * The main connection checkpoints by itself only when the WAL passes this many pages (256 MiB): a
 * safety net. Under a steady stream of writes the WAL does not start over (a writer restarts it only
 * once a checkpoint has copied every frame, and new commits keep coming), so it grows until this
 * net; at 10,000 pages (40 MB) a portal-create burst at 1M tickets (~48 MB of WAL a second) crossed
 * it every second, and the commit that did copied whatever the worker had not yet and synced the
 * database: a request held for up to 5 s. The worker copying four times a second keeps what is
 * left for that commit small; this size makes it rare.
 */
export const FALLBACK_AUTOCHECKPOINT = 65_536;
/** What a WAL file is cut back to when it starts over (SQLite's journal_size_limit). */
const WAL_KEPT_BYTES = 64 * 1024 * 1024;

// The worker's own connection copies the WAL into the database (PASSIVE: never waits for, nor blocks,
// readers and writers) four times a second. That copy and its fsync then happen off the event loop.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.module);
const db = new SQLite(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 100');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (error) { parentPort.postMessage(String(error)); }
}, workerData.everyMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); process.exit(0); });
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Move SQLite's WAL checkpoints off the request path. With the default wal_autocheckpoint (1,000
 * pages) the commit that crosses it copies ~4 MB into the database file and fsyncs it before the
 * request can answer: at 1M tickets ~1 commit in 60 took 20–170 ms instead of 0.2 ms (the writes' p99).
 * Falls back to SQLite's own checkpoints (returns null) where a worker cannot load better-sqlite3
 * (the single executable).
 */
export async function startCheckpointer(db: Db, databasePath: string, log: { warn: (obj: object, msg: string) => void },
  everyMs = 250): Promise<Checkpointer | null> {
  if (databasePath === ':memory:') return null;
  let module: string;
  try {
    module = createRequire(import.meta.url).resolve('better-sqlite3');
  } catch {
    return null;
  }
  // execArgv: [] so that the script is CommonJS whatever flags started this process (--input-type=module).
  const worker = new Worker(WORKER, { eval: true, execArgv: [], workerData: { module, path: databasePath, everyMs } });
  worker.unref();
  worker.on('message', (message: unknown) => log.warn({ error: message }, 'background WAL checkpoint failed'));
  worker.on('error', async (error) => {
    log.warn({ err: error }, 'WAL checkpointer stopped: SQLite checkpoints on commit again');
    await sql`pragma wal_autocheckpoint = 1000`.execute(db).catch(() => undefined);
  });
  await sql.raw(`pragma wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT}`).execute(db);
  // After such a burst the WAL file would keep its size on disk: cut back to 64 MiB once it starts over.
  await sql.raw(`pragma journal_size_limit = ${WAL_KEPT_BYTES}`).execute(db);
  return {
    async stop() {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.ref();
      worker.postMessage('stop');
      const timeout = setTimeout(() => void worker.terminate(), 1000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
