/**
 * Who may write to the SQLite file next, between this process's threads: the main connection and a
 * worker thread's own connection (the search index's merge steps, search/merge-worker.ts). SQLite
 * lets one connection write at a time and makes the others wait in its busy handler, which sleeps
 * the thread: on the main thread that is every request stopped. So the main connection waits here,
 * asynchronously, before it writes, and the worker takes the gate before its write; the main thread
 * keeps reading and answering meanwhile. Other processes (the CLI) still meet SQLite's own lock.
 *
 * Two 32-bit words in shared memory: the gate's STATE (FREE, or held by MAIN or a WORKER), and WANTED, set by a worker
 * while it waits, so that the main thread, which writes far more often, lets it in after its current
 * write instead of taking the gate again first (the merge steps must keep up: search/merging.ts). The
 * main thread awaits `Atomics.waitAsync`; a worker blocks in `Atomics.wait`, its own thread's business.
 */
export const FREE = 0;
/** Who holds it: the main thread, or a worker (so that a worker that died holding it can be told apart). */
export const MAIN = 1;
export const WORKER = 2;
/** The words' places in the buffer. */
export const STATE = 0;
export const WANTED = 1;

export class WriteGate {
  readonly #words: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT)) {
    this.#words = new Int32Array(buffer);
  }

  /** Wait until the gate is free and no worker is waiting for it, and hold it. */
  async acquire(): Promise<void> {
    for (;;) {
      if (Atomics.load(this.#words, WANTED) === 1) {
        await settled(Atomics.waitAsync(this.#words, WANTED, 1));
        continue;
      }
      const holder = Atomics.compareExchange(this.#words, STATE, FREE, MAIN);
      if (holder === FREE) return;
      await settled(Atomics.waitAsync(this.#words, STATE, holder));
    }
  }

  release(): void {
    Atomics.store(this.#words, STATE, FREE);
    Atomics.notify(this.#words, STATE);
  }

  /** A worker has exited: whatever it held or asked for is given up (its thread is gone mid-step only if it crashed). */
  workerGone(): void {
    Atomics.compareExchange(this.#words, STATE, WORKER, FREE);
    Atomics.store(this.#words, WANTED, 0);
    Atomics.notify(this.#words, STATE);
    Atomics.notify(this.#words, WANTED);
  }
}

/** What `Atomics.waitAsync` gives: at once when the word already changed, else a promise. */
async function settled(waiting: ReturnType<typeof Atomics.waitAsync>): Promise<void> {
  if (waiting.async) await waiting.value;
}
