import type { FastifyBaseLogger } from 'fastify';
import type { Db, Trx } from '../db/connect.js';
import { outsideRequest } from '../db/change-cache.js';
import type { Job } from '../db/schema.js';
import type { Consumer, ConsumerContext } from '../events/consumer.js';
import { runConsumers, type RunOptions } from '../events/runner.js';
import { completeJob, failJob, leaseNextJob } from './queries.js';

/** A failure that no retry can mend (e.g. the mail server refused the recipient for good): the job dies at once. */
export class PermanentJobError extends Error {}

export type JobHandler = (payload: unknown, job: Job) => Promise<void>;

/** A handler whose writes commit together with the job's completion (see `handleInTransaction`). */
export type TransactionalJobHandler = (trx: Trx, payload: unknown, job: Job) => Promise<void>;

export interface WorkerOptions {
  pollMs: number;
  retryBaseMs: number;
  leaseMs?: number;
  log: FastifyBaseLogger;
  /** The event stream's consumers (src/events/consumers.ts), run on every round after the jobs. */
  consumers?: readonly Consumer[];
  /** What the consumers get besides the database. */
  context?: ConsumerContext;
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
  /** Positions of the ephemeral consumers (the live hub), in this process's memory. */
  readonly #ephemeral = new Map<string, number>();
  #nudging: Promise<void> | null = null;
  #nudgeAgain = false;

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
    await this.#nudging;
  }

  /**
   * Run every due job once and hand the consumers every new event, until neither has anything
   * left (a consumer may queue jobs, a job may write events); returns how many jobs ran. Tests call
   * this directly to see the effects of a request (the mail it queued, the lines it pushed).
   */
  async drain(max = 100): Promise<number> {
    let ran = 0;
    for (let round = 0; round < 10 && !this.#closing; round++) {
      const consumed = await this.consume();
      const before = ran;
      while (ran < max && !this.#closing) {
        const job = await leaseNextJob(this.db, [...this.#handlers.keys()], this.options.leaseMs ?? 5 * 60_000);
        if (!job) break;
        await this.#run(job);
        ran++;
      }
      if (consumed === 0 && ran === before) break;
    }
    return ran;
  }

  /** Hand each consumer the events after its position; returns how many events the durable ones handled. */
  async consume(): Promise<number> {
    const consumers = this.options.consumers ?? [];
    if (consumers.length === 0) return 0;
    // The ephemeral ones (the live hub) run too, but are not counted: a write request's nudge may
    // have handed them the event already, and they write nothing that another round could follow.
    await runConsumers(this.db, consumers.filter((c) => c.ephemeral), this.#runOptions());
    return runConsumers(this.db, consumers.filter((c) => !c.ephemeral), this.#runOptions());
  }

  /** What every round of the consumers gets: the app's context, the in-memory positions, a warning on failure. */
  #runOptions(): RunOptions {
    return {
      ...(this.options.context ? { context: this.options.context } : {}),
      ephemeral: this.#ephemeral,
      onError: (consumer, event, error) => this.options.log.warn(
        { consumer, event: event.id, kind: event.kind, error: error instanceof Error ? error.message : String(error) },
        'event consumer failed; retrying on the next round'),
    };
  }

  /**
   * A write was just committed: hand it to the ephemeral consumers (the live hub) now rather than at
   * the next poll, so a chat line shows at once. Nudges while one runs fold into one more run.
   * Works whether or not the polling loop was started (tests see their lines without draining).
   */
  nudge(): void {
    if (this.#closing) return;
    if (this.#nudging) {
      this.#nudgeAgain = true;
      return;
    }
    const live = (this.options.consumers ?? []).filter((c) => c.ephemeral);
    if (live.length === 0) return;
    // Not in the scope of the request that nudged (change-cache.ts): it goes on after the answer.
    this.#nudging = outsideRequest(async () => {
      do {
        this.#nudgeAgain = false;
        await runConsumers(this.db, live, this.#runOptions());
      } while (this.#nudgeAgain && !this.#closing);
    }).catch((error: unknown) => this.options.log.error({ err: error }, 'live consumer failed'))
      .finally(() => { this.#nudging = null; });
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
