import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/connect.js';
import type { Job } from '../db/schema.js';
import { completeJob, failJob, leaseNextJob } from './queries.js';

/** A failure that no retry can mend (e.g. the mail server refused the recipient for good): the job dies at once. */
export class PermanentJobError extends Error {}

export type JobHandler = (payload: unknown, job: Job) => Promise<void>;

/** A handler whose writes commit together with the job's completion (see `handleInTransaction`). */
export type TransactionalJobHandler = (trx: Db, payload: unknown, job: Job) => Promise<void>;

export interface WorkerOptions {
  pollMs: number;
  retryBaseMs: number;
  leaseMs?: number;
  log: FastifyBaseLogger;
}

/**
 * The in-process worker: the database is the queue. It runs one job at a time (the app is one
 * process over one file), drains what is due, then sleeps until the next poll.
 */
export class Worker {
  readonly #handlers = new Map<string, JobHandler>();
  /** Kinds whose handler marks the job done itself, inside its own transaction. */
  readonly #selfCompleting = new Set<string>();
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #stopped = true;
  #closing = false;

  constructor(private readonly db: Db, private readonly options: WorkerOptions) {}

  handle(kind: string, handler: JobHandler): this {
    this.#handlers.set(kind, handler);
    this.#selfCompleting.delete(kind);
    return this;
  }

  /**
   * A job whose whole effect is database writes (e.g. queueing mails): the writes and the job's
   * `done` commit in ONE transaction. Otherwise a crash between the two would run the job again
   * after a restart and queue its mails twice, under new Message-IDs that no mail client folds.
   */
  handleInTransaction(kind: string, handler: TransactionalJobHandler): this {
    this.#handlers.set(kind, (payload, job) => this.db.transaction().execute(async (trx) => {
      await handler(trx, payload, job);
      await completeJob(trx, job.id);
    }));
    this.#selfCompleting.add(kind);
    return this;
  }

  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Stop polling and wait for the job in hand to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#closing = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  /** Run every due job once; returns how many ran. Tests call this directly. */
  async drain(max = 100): Promise<number> {
    let ran = 0;
    while (ran < max && !this.#closing) {
      const job = await leaseNextJob(this.db, [...this.#handlers.keys()], this.options.leaseMs ?? 5 * 60_000);
      if (!job) break;
      await this.#run(job);
      ran++;
    }
    return ran;
  }

  async #run(job: Job): Promise<void> {
    const handler = this.#handlers.get(job.kind)!;
    try {
      await handler(JSON.parse(job.payload), job);
      if (!this.#selfCompleting.has(job.kind)) await completeJob(this.db, job.id);
      this.options.log.info({ job: job.id, kind: job.kind }, 'job done');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const state = await failJob(this.db, job, message, this.options.retryBaseMs, error instanceof PermanentJobError);
      this.options.log.warn({ job: job.id, kind: job.kind, attempt: job.attempts, state, error: message }, 'job failed');
    }
  }

  #schedule(delay: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#running = this.drain().then(() => undefined, (error: unknown) => {
        this.options.log.error({ err: error }, 'job worker failed');
      }).finally(() => {
        this.#running = null;
        this.#schedule(this.options.pollMs);
      });
    }, delay);
    this.#timer.unref();
  }
}
