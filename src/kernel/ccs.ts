import type { Trx } from '../db/connect.js';
import { membershipChange } from './membership.js';

/** People to copy in on a ticket, and people to take off it (user ids). */
export interface CcChange {
  add?: readonly number[];
  remove?: readonly number[];
}

/** Who was really copied in and taken off: what a `ticket.changed` event carries as `ccs`. */
export interface CcsChanged {
  added: number[];
  removed: number[];
}

/**
 * Write a ticket's CC rows. Someone already copied in is not added again, someone not copied in is
 * not removed, so the result says what changed (the event carries it); the checks (customers only,
 * never the requester) are the caller's.
 */
export async function writeCcs(trx: Trx, ticketId: number, change: CcChange): Promise<CcsChanged> {
  const current = new Set((await trx.selectFrom('ticket_ccs').select('user_id').where('ticket_id', '=', ticketId).execute()).map((r) => r.user_id));
  const { added, removed } = membershipChange(current, change);
  if (removed.length > 0) await trx.deleteFrom('ticket_ccs').where('ticket_id', '=', ticketId).where('user_id', 'in', removed).execute();
  if (added.length > 0) await trx.insertInto('ticket_ccs').values(added.map((user_id) => ({ ticket_id: ticketId, user_id }))).execute();
  return { added, removed };
}
