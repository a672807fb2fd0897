import { markerScope } from '../db/change-cache.js';
import type { Db, Trx } from '../db/connect.js';
import { commitWithoutFlush, lockAtFirstWrite, ownRow, takeNamedLock, tookLateWriterLock } from '../db/writer-lock.js';
import type { DomainEvent } from './schema.js';
import { nowIso } from '../lib/time.js';
import type { Consumer, ConsumerContext } from './consumer.js';
import { eventsNoted, type EventKind, type StreamEvent } from './record.js';

export interface RunOptions {
  /** Handed to every consumer (the app's mail context). */
  context?: ConsumerContext;
  /** Events read per query. */
  batch?: number;
  /** Stop a consumer after this many events in one round (the worker runs again soon). */
  max?: number;
  /** How long a transactional consumer's run of events may go on adding events (default RUN_MS). */
  runMs?: number;
  onError?: (consumer: string, event: StreamEvent, error: unknown) => void;
  /** Where ephemeral consumers are (in memory, one map per process: the worker's). */
  ephemeral?: Map<string, number>;
}

/**
 * A transactional consumer handles a run of consecutive events that ask something of it in one
 * transaction, moving its position once: at most this many, and no more once this many milliseconds
 * have gone (requests wait while a run goes on). Each event alone cost a transaction, a position
 * read and a position write: at 1M tickets about 0.6 ms an event per consumer, two to four
 * transactions a portal create.
 */
export const RUN_EVENTS = 8;
export const RUN_MS = 3;

/**
 * The lock a late-locking consumer's transaction holds from its start (PostgreSQL): its position, and
 * whatever else only it writes, is read and written by one such transaction at a time. Anything else
 * writing those rows takes it too (the reports' rebuild).
 */
export function takeConsumerLock(trx: Trx, consumer: string): Promise<void> {
  return takeNamedLock(trx, `consumer:${consumer}`);
}

/** The id of the last event the consumer has handled (0: none yet). */
export async function positionOf(db: Db, consumer: string): Promise<number> {
  const row = await db.selectFrom('consumer_positions').select('last_event_id').where('consumer', '=', consumer).executeTakeFirst();
  return row?.last_event_id ?? 0;
}

async function moveTo(db: Db, consumer: string, eventId: number): Promise<void> {
  const now = nowIso();
  await db.insertInto('consumer_positions').values({ consumer, last_event_id: eventId, updated_at: now })
    // Never backwards: events passed outside a transaction (`passes`) are written after the fact,
    // and another worker may have handled later ones meanwhile.
    .onConflict((oc) => oc.column('consumer').doUpdateSet({ last_event_id: eventId, updated_at: now })
      .where('consumer_positions.last_event_id', '<', eventId))
    // The consumer's own row, written under its named lock: an event it has nothing to do for moves
    // its position without waiting in the writers' line (late-locking consumers, PostgreSQL).
    .modifyEnd(ownRow)
    .execute();
}

/** The newest event's id (0 on an empty stream): where an ephemeral consumer starts. */
async function lastEventId(db: Db): Promise<number> {
  const row = await db.selectFrom('events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
  return Number(row?.id ?? 0);
}

export function toStreamEvent(row: DomainEvent): StreamEvent {
  return {
    id: row.id, kind: row.kind as EventKind, ticketId: row.ticket_id, actorId: row.actor_id,
    payload: JSON.parse(row.payload) as Record<string, unknown>, createdAt: row.created_at,
  };
}

/**
 * Hand one consumer the events after its position, in order. Returns how many it handled; stops at
 * the first failure (reported to `onError`, retried next round).
 */
export async function runConsumer(db: Db, consumer: Consumer, options: RunOptions = {}): Promise<number> {
  const batch = options.batch ?? 100;
  const max = options.max ?? 1000;
  const runMs = options.runMs ?? RUN_MS;
  const context = options.context ?? ({} as ConsumerContext);
  let handled = 0;
  const memory = consumer.ephemeral ? options.ephemeral ?? new Map<string, number>() : null;
  if (memory && !memory.has(consumer.name)) memory.set(consumer.name, await lastEventId(db));
  let position = memory ? memory.get(consumer.name)! : await positionOf(db, consumer.name);
  // The last event passed without a transaction (`passes`) and not yet written as the position.
  let passed: number | null = null;
  const catchUp = async () => {
    if (passed !== null) await moveTo(db, consumer.name, passed);
    passed = null;
  };
  // After a failure inside a run of several events, each is tried alone for the rest of the round:
  // the events before the failing one are then committed, and the failure is its own.
  let alone = false;
  while (handled < max) {
    const noted = eventsNoted();
    const rows = await db.selectFrom('events').selectAll().where('id', '>', position).orderBy('id').limit(batch).execute();
    if (rows.length === 0) break;
    const events = rows.map(toStreamEvent);
    // The `passes` checks of these events share one change marker (their remembered reads, "is any
    // trigger enabled?", asked for every event, read it once), read after the events were: what was
    // committed before any of them is seen (a policy turned on just before a ticket's creation).
    const checks = markerScope();
    // Whether `passes` said so, per event (asked once).
    const passing = new Map<number, boolean>();
    const passes = async (event: StreamEvent) => {
      if (!consumer.transactional || !consumer.passes) return false;
      let known = passing.get(event.id);
      if (known === undefined) {
        const asked = consumer.passes;
        passing.set(event.id, known = await checks(() => asked(db, event)));
      }
      return known;
    };
    for (let at = 0; at < events.length && handled < max;) {
      const event = events[at]!;
      let taken = 1;
      // How far into its run the transaction got (a failure after the first event: try each alone).
      let tried = 0;
      try {
        if (await passes(event)) {
          passed = event.id;
        } else if (consumer.transactional) {
          const late = consumer.lateWriterLock === true;
          const transaction = <T>(run: (trx: Trx) => Promise<T>) => (late ? lockAtFirstWrite(db, run) : db.transaction().execute(run));
          // This event and those after it that ask something of the consumer (`passes` reads outside
          // the transaction: on SQLite `db` is its one connection).
          const run = [event];
          for (let next = at + 1; next < events.length && run.length < (alone ? 1 : Math.min(RUN_EVENTS, max - handled)); next++) {
            if (await passes(events[next]!)) break;
            run.push(events[next]!);
          }
          taken = await transaction(async (trx) => {
            await commitWithoutFlush(trx);
            // Another worker may have taken these events meanwhile: the position is read again inside,
            // after the writer lock (from the start) or this consumer's own lock (late: before reading).
            if (late) await takeConsumerLock(trx, consumer.name);
            const done = await positionOf(trx, consumer.name);
            const started = performance.now();
            let count = 0;
            if (consumer.handleRun) {
              tried = run.length;
              const fresh = run.filter((one) => one.id > done);
              if (fresh.length > 0) await consumer.handleRun(trx, fresh, context);
              count = run.length;
            } else for (const one of run) {
              // A late-locking run ends at the event that took the writer lock: the events after it
              // would be read and rendered while every other writer waits for this commit.
              if (count > 0 && (performance.now() - started > runMs || tookLateWriterLock())) break;
              tried = count + 1;
              if (one.id > done) await consumer.handle(trx, one, context);
              count++;
            }
            if (run[count - 1]!.id > done) await moveTo(trx, consumer.name, run[count - 1]!.id);
            return count;
          });
          passed = null;
        } else if (memory) {
          memory.set(consumer.name, event.id); // first: a failing fan-out is not retried to nobody
          await consumer.handle(db, event, context);
        } else {
          await consumer.handle(db, event, context);
          await moveTo(db, consumer.name, event.id);
        }
      } catch (error) {
        if (consumer.transactional && tried > 1) {
          alone = true; // the run rolled back whole: again, one event at a time
          continue;
        }
        options.onError?.(consumer.name, event, error);
        await catchUp();
        return handled;
      }
      at += taken;
      position = events[at - 1]!.id;
      handled += taken;
      // better-sqlite3 answers synchronously, so without this a backlog of events would be handled
      // in one unbroken run of microtasks while requests wait: let them in between two runs.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    // Fewer than asked for, and no event written since the read (by this process or, as far as it
    // has heard, another): the end of the stream. Asking again cost every consumer one query a
    // round, answered with nothing; an event that commits later is the next round's.
    if (rows.length < batch && eventsNoted() === noted) break;
  }
  await catchUp();
  return handled;
}

/** Every consumer in turn; returns the events handled in all. */
export async function runConsumers(db: Db, consumers: readonly Consumer[], options: RunOptions = {}): Promise<number> {
  let handled = 0;
  for (const consumer of consumers) handled += await runConsumer(db, consumer, options);
  return handled;
}
