import type { Db } from '../db/connect.js';
import { changeTicket } from '../kernel/index.js';
import type { StatusCategory } from '../db/schema.js';
import { enqueueJob } from '../jobs/queries.js';
import { DAY, HOUR, isoIn } from '../lib/time.js';
import { getNumberSetting } from '../settings/settings.js';
import { defaultStatusId } from './queries.js';
import { statusStamps } from './status.js';

export const AUTOCLOSE_JOB = 'tickets.autoclose';
const BATCH = 200;

export interface AutoCloseResult { closedSolved: number; reminded: number; closedPending: number }

/**
 * Seed 003: "the customer hasn't responded so the ticket closes". Hourly: solved tickets older than
 * `autoclose.solved_days` are closed; tickets waiting on the customer (a pending-category status)
 * with no activity for `autoclose.pending_days` get one reminder mail, and are closed when another
 * `autoclose.pending_grace_days` (the same period when 0) pass without an answer. 0 days = off.
 * The reminder is a history event, not activity, so it does not restart the waiting period; any
 * real activity does, and earns a fresh reminder next time.
 */
export async function runAutoClose(db: Db, now = Date.now()): Promise<AutoCloseResult> {
  const result: AutoCloseResult = { closedSolved: 0, reminded: 0, closedPending: 0 };
  const closedId = await defaultStatusId(db, 'closed');
  if (closedId === undefined) return result;
  const solvedDays = await getNumberSetting(db, 'autoclose.solved_days') ?? 0;
  const pendingDays = await getNumberSetting(db, 'autoclose.pending_days') ?? 0;
  const graceDays = (await getNumberSetting(db, 'autoclose.pending_grace_days')) || pendingDays;

  if (solvedDays > 0) {
    for (const ticket of await dueTickets(db, 'solved', isoIn(-solvedDays * DAY, now))) {
      if (ticket.solved_at !== null && ticket.solved_at <= isoIn(-solvedDays * DAY, now)) {
        if (await closeTicket(db, ticket, closedId, false, now)) result.closedSolved++;
      }
    }
  }
  if (pendingDays > 0) {
    for (const ticket of await dueTickets(db, 'pending', isoIn(-pendingDays * DAY, now))) {
      const remindedThisPeriod = ticket.reminded_at !== null && ticket.reminded_at >= ticket.last_activity_at;
      if (!remindedThisPeriod) {
        if (await remind(db, ticket, now)) result.reminded++;
      } else if (ticket.reminded_at! <= isoIn(-graceDays * DAY, now)) {
        if (await closeTicket(db, ticket, closedId, true, now)) result.closedPending++;
      }
    }
  }
  return result;
}

type DueTicket = Awaited<ReturnType<typeof dueBatch>>[number];

/**
 * Tickets in a status of the category whose last activity is before the cutoff, in keyset batches
 * over the (status_id, last_activity_at, id) index, each with the time of its latest reminder.
 */
async function dueTickets(db: Db, category: StatusCategory, cutoff: string): Promise<DueTicket[]> {
  const statusIds = (await db.selectFrom('statuses').select('id').where('category', '=', category).execute()).map((s) => s.id);
  if (statusIds.length === 0) return [];
  const all: DueTicket[] = [];
  let after: { at: string; id: number } | null = null;
  for (;;) {
    const batch = await dueBatch(db, statusIds, cutoff, after);
    all.push(...batch);
    if (batch.length < BATCH) return all;
    const last = batch[batch.length - 1]!;
    after = { at: last.last_activity_at, id: last.id };
  }
}

function dueBatch(db: Db, statusIds: number[], cutoff: string, after: { at: string; id: number } | null) {
  let query = db.selectFrom('tickets')
    .innerJoin('statuses', 'statuses.id', 'tickets.status_id')
    .select(['tickets.id', 'tickets.subject', 'tickets.status_id', 'tickets.requester_id', 'tickets.brand_id',
      'tickets.last_activity_at', 'tickets.solved_at', 'tickets.closed_at', 'statuses.name as status_name'])
    .select((eb) => eb.selectFrom('ticket_events').select((e) => e.fn.max('created_at').as('at'))
      .whereRef('ticket_events.ticket_id', '=', 'tickets.id').where('ticket_events.kind', '=', 'reminder')
      .as('reminded_at'))
    .where('tickets.status_id', 'in', statusIds)
    .where('tickets.last_activity_at', '<=', cutoff);
  if (after) {
    const { at, id } = after;
    query = query.where((eb) => eb.or([eb('tickets.last_activity_at', '>', at),
      eb.and([eb('tickets.last_activity_at', '=', at), eb('tickets.id', '>', id)])]));
  }
  return query.orderBy('tickets.last_activity_at').orderBy('tickets.id').limit(BATCH).execute()
    .then((rows) => rows.map((row) => ({ ...row, reminded_at: (row.reminded_at as string | null) ?? null })));
}

async function requesterOf(db: Db, ticket: DueTicket) {
  return db.selectFrom('users').select(['name', 'email', 'locale', 'state']).where('id', '=', ticket.requester_id).executeTakeFirstOrThrow();
}

/**
 * One reminder per waiting period: its history event, whose `ticket.changed` event asks the
 * notifications consumer to mail the requester (src/notify/reminders.ts).
 */
async function remind(db: Db, ticket: DueTicket, now: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const still = await trx.selectFrom('tickets').select('id')
      .where('id', '=', ticket.id).where('status_id', '=', ticket.status_id).where('last_activity_at', '=', ticket.last_activity_at).executeTakeFirst();
    if (!still) return false;
    const requester = await requesterOf(trx, ticket);
    await changeTicket(trx, null, ticket.id, {
      history: [{ kind: 'reminder', from: null, to: requester.email }], at: new Date(now).toISOString(), notify: { requester: 'reminder' },
    });
    return true;
  });
}

/**
 * Close by Deskbell itself (no actor): the status, its stamps and a history event. A ticket that
 * moved meanwhile is left alone. When the customer did not answer (`tell`), they are told (by the
 * notifications consumer, from the change's event).
 */
async function closeTicket(db: Db, ticket: DueTicket, closedId: number, tell: boolean, at: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const now = new Date(at).toISOString();
    const closed = await trx.selectFrom('statuses').select(['id', 'name']).where('id', '=', closedId).executeTakeFirstOrThrow();
    const moved = await changeTicket(trx, null, ticket.id, {
      set: { status_id: closed.id, ...statusStamps('closed', ticket, now) }, at: now,
      onlyIf: { status_id: ticket.status_id, last_activity_at: ticket.last_activity_at },
      history: [{ kind: 'status', from: ticket.status_name, to: closed.name }],
      ...(tell ? { notify: { requester: 'closed' as const } } : {}),
    });
    return moved;
  });
}

/** The job runs, then books its next run in an hour; at start-up one is booked if none is waiting. */
export async function runAutoCloseJob(db: Db): Promise<void> {
  await runAutoClose(db);
  await enqueueJob(db, AUTOCLOSE_JOB, {}, { runAt: isoIn(HOUR), maxAttempts: 3 });
}

export async function scheduleAutoClose(db: Db): Promise<void> {
  const waiting = await db.selectFrom('jobs').select('id')
    .where('kind', '=', AUTOCLOSE_JOB).where('state', '=', 'queued').limit(1).executeTakeFirst();
  if (!waiting) await enqueueJob(db, AUTOCLOSE_JOB, {}, { maxAttempts: 3 });
}
