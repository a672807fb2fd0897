import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import type { Db } from './connect.js';

/** The main connection checkpoints by itself only when the WAL passes this many pages (~40 MB): a safety net. */
const FALLBACK_AUTOCHECKPOINT = 10_000;

// The worker's own connection copies the WAL into the database (PASSIVE: never waits for, nor blocks,
// readers and writers) once a second. That copy and its fsync then happen off the event loop.
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
  everyMs = 1000): Promise<Checkpointer | null> {
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
