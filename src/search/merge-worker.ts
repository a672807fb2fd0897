import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { writeGateOf, type Db } from '../db/connect.js';
import { FREE, STATE, WANTED, WORKER as HOLDER } from '../db/write-gate.js';
import { INDEXES, MERGE_EVERY_MS, MERGE_PAGES, startSearchMerging, takeOverMerging, type SearchMerging } from './merging.js';

// The worker's own connection runs the merge steps. It takes the write gate (db/write-gate.ts) for
// each index's step, first saying it wants it, so the main thread's writes let it in after the one in
// progress. A step is bounded by whole doclists, not pages: a common word's over the large segment
// takes a few hundred milliseconds, which the main thread's writes then wait for, and its reads do not.
// It steps only after another connection wrote (SQLite's data_version: the worker's own commits do not move it).
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.module);
const db = new SQLite(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
const words = new Int32Array(workerData.gate);
const { STATE, WANTED, FREE, HOLDER } = workerData;
const steps = workerData.indexes.map((index) => db.prepare("insert into " + index + "(" + index + ", rank) values ('merge', " + workerData.pages + ")"));
const version = () => db.pragma('data_version', { simple: true });
let seen = null;
function gated(step) {
  Atomics.store(words, WANTED, 1);
  let holder;
  while ((holder = Atomics.compareExchange(words, STATE, FREE, HOLDER)) !== FREE) Atomics.wait(words, STATE, holder, 1000);
  Atomics.store(words, WANTED, 0);
  Atomics.notify(words, WANTED);
  try { step.run(); } finally { Atomics.store(words, STATE, FREE); Atomics.notify(words, STATE); }
}
const timer = setInterval(() => {
  try {
    const now = version();
    if (now === seen) return;
    for (const step of steps) gated(step);
    seen = version();
  } catch (error) { parentPort.postMessage(String(error)); }
}, workerData.everyMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); process.exit(0); });
`;

/**
 * On SQLite: FTS5's merge steps (merging.ts) on a worker thread of their own, off the event loop.
 * Where no worker can load better-sqlite3 (the single executable), or the desk has no write gate,
 * the steps run on the main thread between requests, as before.
 */
export async function startMergeWorker(db: Db, databasePath: string, log: { warn: (obj: object, msg: string) => void },
  everyMs = MERGE_EVERY_MS): Promise<SearchMerging> {
  const gate = writeGateOf(db);
  const module = resolveAddon();
  if (!gate || !module || databasePath === ':memory:') return startSearchMerging(db, log, everyMs);
  await takeOverMerging(db);
  const worker = new Worker(WORKER, {
    eval: true, execArgv: [],
    workerData: { module, path: databasePath, gate: gate.buffer, STATE, WANTED, FREE, HOLDER, indexes: INDEXES, pages: MERGE_PAGES, everyMs },
  });
  worker.unref();
  worker.on('message', (message: unknown) => log.warn({ error: message }, 'a search index merge step failed'));
  worker.on('error', (error) => log.warn({ err: error }, 'the search merge worker stopped'));
  worker.on('exit', () => gate.workerGone());
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let stopping: Promise<void> | null = null;
  return {
    stop() {
      stopping ??= (async () => {
        worker.ref();
        worker.postMessage('stop');
        const timeout = setTimeout(() => void worker.terminate(), 1000);
        await exited;
        clearTimeout(timeout);
      })();
      return stopping;
    },
  };
}

function resolveAddon(): string | null {
  try {
    return createRequire(import.meta.url).resolve('better-sqlite3');
  } catch {
    return null;
  }
}
