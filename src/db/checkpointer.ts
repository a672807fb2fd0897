import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import { beforeEachWrite, type Db } from './connect.js';

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
/**
 * What a WAL file is cut back to when it starts over (SQLite's journal_size_limit): the safety
 * net's size, so that a WAL started over at RESTART_FRAMES is never cut (that took ~60 ms).
 */
const WAL_KEPT_BYTES = 256 * 1024 * 1024;
/**
 * The WAL size (pages) from which it is made to start over: 192 MiB of 4 KiB pages, below
 * WAL_KEPT_BYTES, so that the file is written over from its start, and rarely cut back or grown
 * (only when the main connection's copy finds the worker checkpointing, or a reader of another
 * process holds frames back: the flag is raised again at the next length). Under a steady stream of
 * writes the file thus stays at 192–256 MiB on disk. A
 * desk whose writes pause now and then starts it over by itself long before (a checkpoint that
 * copied every frame lets the next write start it over).
 *
 * A writer starts the WAL file over only when a checkpoint has copied every frame before it begins,
 * which under a steady stream of commits (a portal create every 1.5 ms writes ~50 pages) never
 * happens by itself: the worker's passes end a few commits behind. The WAL then grew to the safety
 * net, whose commit took 20–30 ms to copy the rest and the next one ~60 ms to cut the file back to
 * 64 MiB (1M tickets: 15 such commits in a 15 s run, the writes' p99). So when a pass of the
 * worker has caught up with a WAL this long, the main connection copies the few frames written
 * since: a PASSIVE checkpoint just before its next write outside a transaction, in the same
 * synchronous step, so that the write finds every frame copied and starts the file over.
 *
 * That copy is a few dozen frames, but its two fsyncs take 15–20 ms on a disk the worker keeps busy
 * (measured on the 1M bench): hence a long WAL, started over every second or so under a steady
 * stream, not every 32 MiB (which cost four such pauses a second and the replies' p95).
 */
export const RESTART_FRAMES = 49_152;
/** "Caught up": this few frames left to copy (a few portal creates). */
const CAUGHT_UP_FRAMES = 256;

// The worker's own connection copies the WAL into the database (PASSIVE: never waits for, nor blocks,
// readers and writers) four times a second, and again at once while many frames came during a pass.
// That copy and its fsync then happen off the event loop. It raises `caughtUp` when a pass caught
// up with a long WAL.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.module);
const db = new SQLite(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 100');
const checkpoint = () => db.pragma('wal_checkpoint(PASSIVE)')[0];
let told = -1;
const timer = setInterval(() => {
  try {
    // A pass copies the frames there were when it began ("log"); the next pass's "log" tells how
    // many came meanwhile. Passes go on, each shorter, until one was short enough to be caught up.
    let wal = checkpoint();
    let came = Infinity;
    for (let pass = 1; pass < 5 && came > ${CAUGHT_UP_FRAMES}; pass++) {
      const next = checkpoint();
      came = next.log - wal.log;
      wal = next;
    }
    // Caught up: the last pass had few frames to copy after it (came), and copied them all (no
    // reader held it back). Once per length: a WAL nobody writes to needs no second copy, and it
    // starts over at the next write.
    const caughtUp = came <= ${CAUGHT_UP_FRAMES} && wal.log === wal.checkpointed;
    if (caughtUp && wal.log >= workerData.restartFrames && wal.log !== told) {
      told = wal.log;
      Atomics.store(workerData.caughtUp, 0, 1);
    }
  } catch (error) { parentPort.postMessage({ error: String(error) }); }
}, workerData.everyMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); process.exit(0); });
`;

export interface Checkpointer {
  /** Whether the worker has caught up with a long WAL and the main connection's next write will copy the rest. */
  copyDue(): boolean;
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
  everyMs = 250, restartFrames = RESTART_FRAMES): Promise<Checkpointer | null> {
  if (databasePath === ':memory:') return null;
  let module: string;
  try {
    module = createRequire(import.meta.url).resolve('better-sqlite3');
  } catch {
    return null;
  }
  // Set by the worker when a pass caught up with a WAL past restartFrames; cleared by the main connection.
  const caughtUp = new Int32Array(new SharedArrayBuffer(4));
  // execArgv: [] so that the script is CommonJS whatever flags started this process (--input-type=module).
  const worker = new Worker(WORKER, { eval: true, execArgv: [], workerData: { module, path: databasePath, everyMs, restartFrames, caughtUp } });
  worker.unref();
  worker.on('message', (message: { error: string }) => log.warn({ error: message.error }, 'background WAL checkpoint failed'));
  // The last copy runs on the main connection, just before its next write: no commit can come between.
  // (The hook stays after `stop`: a flag left raised costs one PASSIVE that finds nothing to copy.)
  const hooked = beforeEachWrite(db, (sqlite) => {
    if (Atomics.load(caughtUp, 0) === 0) return;
    Atomics.store(caughtUp, 0, 0);
    try {
      sqlite.pragma('wal_checkpoint(PASSIVE)');
    } catch (error) {
      log.warn({ err: error }, 'WAL checkpoint failed');
    }
  });
  if (!hooked) log.warn({}, 'WAL checkpointer: not a connection of its own; under a steady stream of writes the WAL grows to the safety net');
  worker.on('error', async (error) => {
    log.warn({ err: error }, 'WAL checkpointer stopped: SQLite checkpoints on commit again');
    await sql`pragma wal_autocheckpoint = 1000`.execute(db).catch(() => undefined);
  });
  await sql.raw(`pragma wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT}`).execute(db);
  // After a burst past the safety net the WAL file would keep its size on disk: cut back once it starts over.
  await sql.raw(`pragma journal_size_limit = ${WAL_KEPT_BYTES}`).execute(db);
  return {
    copyDue: () => Atomics.load(caughtUp, 0) === 1,
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
