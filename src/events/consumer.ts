import type { Db, Trx } from '../db/connect.js';
import type { LiveHub } from '../live/hub.js';
import type { MailContext } from '../mail/context.js';
import type { StreamEvent } from './record.js';

/**
 * A reader of the event stream. The worker hands it every event after its durable position, in id
 * order, one at a time, and moves the position on after each success.
 *
 * - `transactional: true`: `handle` gets a transaction, and the position moves in that same
 *   transaction: what the consumer writes to the database happens exactly once per event. A run of
 *   consecutive events may share one transaction (events/runner.ts, RUN_EVENTS); when one of them
 *   fails the run rolls back whole and is tried again one event at a time, so `handle` may be called
 *   again for an event whose writes were rolled back: it must do nothing but write to the database.
 * - otherwise (effects outside the database, e.g. the live hub): the position moves after `handle`
 *   returns, so a crash in between hands the event over again. Such a consumer must be idempotent.
 *
 * A consumer that throws stays at the event and is retried on the worker's next round; the events
 * after it wait (order is kept). Other consumers are not held up.
 */
export type Consumer = TransactionalConsumer | OutsideConsumer;

interface ConsumerBase {
  /** Stable and unique: the key of its position. Renaming a consumer makes it start again from 0. */
  readonly name: string;
}

/** Writes to the database, exactly once per event: `handle` gets the transaction that moves its position. */
export interface TransactionalConsumer extends ConsumerBase {
  readonly transactional: true;
  readonly ephemeral?: false;
  /**
   * A consumer that reads much before it writes (composing mail): on PostgreSQL its
   * transaction takes the writer lock only at its first write (db/writer-lock.ts `lockAtFirstWrite`),
   * so other writers do not wait while it reads and renders; two workers still never handle one
   * event, as it takes a lock of its own before reading its position. For a consumer none of whose
   * reads decides something that must still hold when it commits, or that re-reads it after
   * `takeWriterLock` (a count-then-insert).
   */
  readonly lateWriterLock?: boolean;
  handle(trx: Trx, event: StreamEvent, context: ConsumerContext): Promise<void>;
  /**
   * A run of consecutive events at once, instead of `handle` for each (the same transaction either
   * way): for a consumer whose work for an event depends only on what the database holds when it
   * runs, so that several events on one ticket ask for the same work once (the reports' figures,
   * brought up to date from the ticket as it stands). The run's events are all new to the consumer.
   * The run is not cut short when its time is up or it takes the writer lock (the run of `handle`
   * calls is): such a consumer should read everything first and write last, as the reports do.
   */
  handleRun?(trx: Trx, events: readonly StreamEvent[], context: ConsumerContext): Promise<void>;
  /**
   * Whether the event certainly asks nothing of this consumer, from a cheap read outside any
   * transaction (no trigger enabled, nobody subscribed, no clock on the ticket). Such an event gets
   * no transaction of its own: the position passes it with the next event handled, or once at the
   * end of the round. Most desks have no webhooks and many no triggers: without this, every event
   * cost each of those consumers a write transaction.
   */
  passes?(db: Db, event: StreamEvent): Promise<boolean>;
}

export interface OutsideConsumer extends ConsumerBase {
  readonly transactional?: false;
  /**
   * Effects only whoever is connected to this process now can see (the live hub): the position is
   * kept in memory and starts at the end of the stream when the process starts, so a restart
   * replays nothing to nobody. Such a consumer is also nudged after each write request.
   */
  readonly ephemeral?: boolean;
  handle(db: Db, event: StreamEvent, context: ConsumerContext): Promise<void>;
}

/** What the app hands every consumer besides the database (set once, when the worker is made). */
export interface ConsumerContext {
  /** Links, catalogue and views for the mail a consumer composes (the notifications consumer). */
  mail: MailContext;
  /** The process's live hub (messenger lines, the stale-reply notice). */
  live?: LiveHub;
}
