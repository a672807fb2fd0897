import type { Trx } from '../db/connect.js';
import { recordEvent } from '../events/record.js';
import { nowIso } from '../lib/time.js';
import type { Actor } from '../users/actor.js';

/** Why a ticket went for good: an admin deleted it, or an agent marked it as spam. */
export type RemovalReason = 'deleted' | 'spam';

/**
 * Delete a ticket for good (the recycle bin's purge, src/bin/: by Deskbell when `actor` is null) and record one `ticket.deleted` event, `{ reason, requesterId }`, in the
 * caller's transaction. Its messages, history, CCs and field values go with the row (foreign keys);
 * the event stays (events have none), so a consumer still behind learns that the ticket its earlier
 * events name is gone. Checks, the audit entry and the files are the caller's.
 */
export async function removeTicket(trx: Trx, actor: Pick<Actor, 'id'> | null, ticketId: number, reason: RemovalReason): Promise<void> {
  const ticket = await trx.selectFrom('tickets').select('requester_id').where('id', '=', ticketId).executeTakeFirstOrThrow();
  await trx.deleteFrom('tickets').where('id', '=', ticketId).execute();
  await recordEvent(trx, { kind: 'ticket.deleted', ticketId, actorId: actor?.id ?? null, at: nowIso(), payload: { reason, requesterId: ticket.requester_id } });
}
