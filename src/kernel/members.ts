import { sql } from 'kysely';
import type { Trx } from '../db/connect.js';

/**
 * The assignee is always the ticket's one primary assigned member (the fleet's people, seed 001):
 * the kernel keeps `ticket_members` in step whenever `tickets.assignee_id` changes, in the same
 * transaction, so no path can assign a ticket and leave its fleet behind. The new assignee becomes
 * the primary assigned member (an open offer of theirs is settled by it), the assignee they replace
 * leaves the fleet, other assigned members stay.
 */
export async function syncPrimaryMember(trx: Trx, ticketId: number, previousId: number | null, assigneeId: number | null, now: string): Promise<void> {
  if (previousId !== null && previousId !== assigneeId) {
    await trx.deleteFrom('ticket_members').where('ticket_id', '=', ticketId).where('user_id', '=', previousId)
      .where('role', '=', 'assigned').execute();
  }
  await trx.updateTable('ticket_members').set({ is_primary: 0 }).where('ticket_id', '=', ticketId).where('is_primary', '=', 1).execute();
  if (assigneeId === null) return;
  await trx.insertInto('ticket_members').values({
    ticket_id: ticketId, user_id: assigneeId, role: 'assigned', offer_state: null, offered_at: null, offer_expires_at: null,
    responded_at: null, is_primary: 1, created_at: now,
  }).onConflict((oc) => oc.columns(['ticket_id', 'user_id']).doUpdateSet({
    is_primary: 1,
    // Someone already assigned keeps when they joined; an offer or a past answer gives way to the assignment.
    created_at: sql`case when ticket_members.role = 'assigned' then ticket_members.created_at else ${now} end`,
    offer_state: sql`case when ticket_members.offer_state = 'accepted' and ticket_members.role = 'assigned' then 'accepted' else null end`,
    role: 'assigned',
  })).execute();
}
