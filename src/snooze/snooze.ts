import type { Db } from '../db/connect.js';
import { enqueueJob } from '../jobs/queries.js';
import { returnSnoozed, snoozeTicket, unsnoozeTicket } from '../kernel/index.js';
import { NotFound } from '../lib/errors.js';
import { isoIn } from '../lib/time.js';
import { can } from '../policy/can.js';
import { findVisibleTicket } from '../tickets/queries.js';
import type { Actor } from '../users/actor.js';

/**
 * Snooze (issue 20): an agent puts a ticket away until a time ("Remind me"). It leaves "My open
 * tickets" for their "Snoozed" view (tickets/list-filter.ts) and comes back, marked, when its time
 * comes (the job below) or at once when its customer writes (kernel/messages.ts).
 */
export async function snoozeFor(db: Db, actor: Actor, ticketId: number, until: string): Promise<void> {
  if (!can(actor, 'ticket.snooze')) throw new NotFound();
  await db.transaction().execute(async (trx) => {
    const ticket = await findVisibleTicket(trx, actor, ticketId);
    if (!ticket) throw new NotFound();
    await snoozeTicket(trx, actor, ticket.id, until);
  });
}

/** Wake a ticket by hand (or take away its "returned" mark). */
export async function unsnooze(db: Db, actor: Actor, ticketId: number): Promise<void> {
  if (!can(actor, 'ticket.snooze')) throw new NotFound();
  await db.transaction().execute(async (trx) => {
    const ticket = await findVisibleTicket(trx, actor, ticketId);
    if (!ticket) throw new NotFound();
    await unsnoozeTicket(trx, actor, ticket.id);
  });
}

export const SNOOZE_JOB = 'tickets.snooze_return';
const EVERY_MS = 60_000;
const BATCH = 200;

/** Snoozed tickets whose time has come return (by Deskbell), each in its own transaction. Returns how many. */
export async function runSnoozeReturns(db: Db, now = Date.now()): Promise<number> {
  const at = new Date(now).toISOString();
  let returned = 0;
  for (;;) {
    const due = await db.selectFrom('tickets').select('id').where('snoozed_until', '<=', at)
      .orderBy('snoozed_until').orderBy('id').limit(BATCH).execute();
    for (const ticket of due) {
      if (await db.transaction().execute((trx) => returnSnoozed(trx, null, ticket.id, 'time', at))) returned++;
    }
    if (due.length < BATCH) return returned;
  }
}

/** The job runs, then books its next run a minute on; at start-up one is booked if none is waiting. */
export async function runSnoozeJob(db: Db): Promise<void> {
  await runSnoozeReturns(db);
  await enqueueJob(db, SNOOZE_JOB, {}, { runAt: isoIn(EVERY_MS), maxAttempts: 3 });
}

export async function scheduleSnoozeReturns(db: Db): Promise<void> {
  const waiting = await db.selectFrom('jobs').select('id').where('kind', '=', SNOOZE_JOB).where('state', '=', 'queued').limit(1).executeTakeFirst();
  if (!waiting) await enqueueJob(db, SNOOZE_JOB, {}, { maxAttempts: 3 });
}
