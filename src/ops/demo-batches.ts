import { on } from 'node:events';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DemoBatch, DemoSink } from './demo-sink.js';
import type { SeededRandom } from './demo-text.js';
import { generateTickets, type TicketPlan } from './demo-tickets.js';

/** What the generator's thread gets (demo-worker.ts). */
export interface DemoWorkerData { state: number; plan: TicketPlan; batchSize: number }
/** What it sends: a batch, then how many messages it wrote. */
export type DemoWorkerMessage = { batch: DemoBatch; done: number } | { messages: number };
/** Batches the generator may make ahead of the writer (each ~15 MB at 5,000 tickets). */
export const AHEAD = 2;

/**
 * Write the demo's tickets through the sink. With a second core, the rows are made on a thread of
 * their own (text, times: about a third of the load's time on one thread) while this one writes the
 * batch before; the same rows, the same order. Where that thread cannot start (one core, or the
 * single executable, which has no file to start it from), they are made here between the writes.
 */
export async function insertTickets(sink: DemoSink, random: SeededRandom, plan: TicketPlan,
  options: { worker?: boolean; progress?: (done: number) => void } = {}): Promise<{ messages: number; onWorker: boolean }> {
  const put = async (batch: DemoBatch, done: number) => {
    await sink.write(batch);
    options.progress?.(done);
  };
  if (options.worker ?? availableParallelism() > 1) {
    let wrote = false;
    try {
      const { messages } = await onWorker({ state: random.state(), plan, batchSize: sink.batchSize }, async (batch, done) => {
        wrote = true;
        await put(batch, done);
      });
      return { messages, onWorker: true };
    } catch (error) {
      if (wrote) throw error;
    }
  }
  return { ...await generateTickets(random, plan, sink.batchSize, put), onWorker: false };
}

async function onWorker(data: DemoWorkerData, put: (batch: DemoBatch, done: number) => Promise<void>): Promise<{ messages: number }> {
  // The compiled file next to this one (under the tests' loader, the .ts one).
  const file = new URL(`./demo-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);
  const worker = new Worker(file, { workerData: data });
  try {
    for await (const [message] of on(worker, 'message', { close: ['exit'] }) as AsyncIterable<[DemoWorkerMessage]>) {
      if ('messages' in message) return message;
      await put(message.batch, message.done);
      worker.postMessage('next');
    }
    throw new Error('the demo\'s generator thread stopped before it was done');
  } finally {
    await worker.terminate();
  }
}
