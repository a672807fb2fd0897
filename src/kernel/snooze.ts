import type { Trx } from '../db/connect.js';
import { nowIso } from '../lib/time.js';
import type { Actor } from '../users/actor.js';
import { changeTicket } from './change.js';

/** Why a snoozed ticket came back: its time came (the job), or its customer wrote. */
export type SnoozeReturn = 'time' | 'customer';

/**
 * Snooze a ticket until `until` (an ISO instant), for `actor`, who then finds it in their "Snoozed"
 * view instead of "My open tickets". A ticket snoozed again just moves its time. One history line.
 */
export async function snoozeTicket(trx: Trx, actor: Actor, ticketId: number, until: string): Promise<void> {
  const current = await trx.selectFrom('tickets').select('snoozed_until').where('id', '=', ticketId).executeTakeFirstOrThrow();
  await changeTicket(trx, actor, ticketId, {
    set: { snoozed_until: until, snoozed_by_id: actor.id, snooze_returned_at: null },
    history: [{ kind: 'snoozed', from: current.snoozed_until, to: until }],
  });
}

/** Wake a snoozed ticket by hand (or clear the "returned" mark): back in the lists at once. */
export async function unsnoozeTicket(trx: Trx, actor: Actor, ticketId: number): Promise<boolean> {
  const current = await trx.selectFrom('tickets').select(['snoozed_until', 'snooze_returned_at']).where('id', '=', ticketId).executeTakeFirstOrThrow();
  if (current.snoozed_until === null && current.snooze_returned_at === null) return false;
  await changeTicket(trx, actor, ticketId, {
    set: { snoozed_until: null, snoozed_by_id: null, snooze_returned_at: null },
    history: current.snoozed_until === null ? [] : [{ kind: 'unsnoozed', from: current.snoozed_until, to: null }],
  });
  return true;
}

/**
 * A snoozed ticket comes back (by Deskbell, or by the customer who wrote): marked as returned, its
 * snoozer told by mail when they asked for it (the notifications consumer reads `snoozeReturned`).
 * Only while it is still snoozed as it was read (`onlyIf`): a ticket unsnoozed meanwhile is left alone.
 */
export async function returnSnoozed(trx: Trx, actor: Actor | null, ticketId: number, reason: SnoozeReturn, now = nowIso()): Promise<boolean> {
  const current = await trx.selectFrom('tickets').select(['snoozed_until', 'snoozed_by_id']).where('id', '=', ticketId).executeTakeFirst();
  if (!current || current.snoozed_until === null) return false;
  return changeTicket(trx, actor, ticketId, {
    set: { snoozed_until: null, snooze_returned_at: now },
    onlyIf: { snoozed_until: current.snoozed_until },
    history: [{ kind: 'snooze_returned', from: current.snoozed_until, to: reason }],
    ...(current.snoozed_by_id !== null ? { notify: { snoozeReturned: [current.snoozed_by_id] } } : {}),
    at: now,
  });
}
