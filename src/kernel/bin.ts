import type { Trx } from '../db/connect.js';
import { recordEvent } from '../events/record.js';
import { nowIso } from '../lib/time.js';
import type { Actor } from '../users/actor.js';
import { writeHistory } from './history.js';
import type { RemovalReason } from './remove.js';

/**
 * Put a ticket in the recycle bin (deleted by an admin, or marked as spam): nothing of it goes, but
 * every scope leaves it out (tickets/scope.ts) until it is restored or purged (removeTicket). One
 * history line and one `ticket.binned` event, `{ reason, requesterId }`, in the caller's transaction.
 */
export async function binTicket(trx: Trx, actor: Actor, ticketId: number, reason: RemovalReason): Promise<void> {
  const now = nowIso();
  const ticket = await trx.selectFrom('tickets').select('requester_id').where('id', '=', ticketId).executeTakeFirstOrThrow();
  await trx.updateTable('tickets').set({ binned_at: now, binned_by_id: actor.id, binned_reason: reason }).where('id', '=', ticketId).execute();
  await writeHistory(trx, ticketId, actor.id, [{ kind: 'binned', from: null, to: reason }], now);
  await recordEvent(trx, { kind: 'ticket.binned', ticketId, actorId: actor.id, at: now, payload: { reason, requesterId: ticket.requester_id } });
}

/** Take a ticket out of the bin, as it was: one history line and one `ticket.restored` event. */
export async function restoreTicket(trx: Trx, actor: Actor, ticketId: number): Promise<boolean> {
  const now = nowIso();
  const ticket = await trx.selectFrom('tickets').select(['binned_reason']).where('id', '=', ticketId).where('binned_at', 'is not', null).executeTakeFirst();
  if (!ticket) return false;
  await trx.updateTable('tickets').set({ binned_at: null, binned_by_id: null, binned_reason: null }).where('id', '=', ticketId).execute();
  await writeHistory(trx, ticketId, actor.id, [{ kind: 'restored', from: ticket.binned_reason, to: null }], now);
  await recordEvent(trx, { kind: 'ticket.restored', ticketId, actorId: actor.id, at: now, payload: {} });
  return true;
}
