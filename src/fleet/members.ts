import { sql } from 'kysely';
import type { Db } from '../db/connect.js';

/** Fleet history: who was offered, withdrawn, accepted, declined, expired, added or removed. */
export type FleetEventKind = 'offer' | 'offer_withdrawn' | 'offer_accepted' | 'offer_declined' | 'offer_expired' | 'member_added' | 'member_removed';

export async function fleetEvent(trx: Db, ticketId: number, actorId: number | null, kind: FleetEventKind, person: string, now: string): Promise<void> {
  const removal = kind === 'offer_withdrawn' || kind === 'offer_declined' || kind === 'offer_expired' || kind === 'member_removed';
  await trx.insertInto('ticket_events').values({
    ticket_id: ticketId, actor_id: actorId, kind, field: null,
    from_value: removal ? person : null, to_value: removal ? null : person, created_at: now,
  }).execute();
  await trx.updateTable('tickets').set({ updated_at: now }).where('id', '=', ticketId).execute();
}

/**
 * Keep the fleet in step with tickets.assignee_id, inside the assignment's transaction: the new
 * assignee becomes the one primary assigned member (an open offer of theirs is settled by it), and
 * the assignee they replace leaves the fleet. Other assigned members stay.
 */
export async function syncPrimaryMember(trx: Db, ticketId: number, previousId: number | null, assigneeId: number | null, now: string): Promise<void> {
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

/** A non-primary assigned member (an accepted offer or an added employee), inside the caller's transaction. */
export async function putAssignedMember(trx: Db, ticketId: number, userId: number, now: string, accepted: boolean): Promise<void> {
  const values = accepted
    ? { role: 'assigned' as const, offer_state: 'accepted' as const, responded_at: now }
    : { role: 'assigned' as const, offer_state: null, offered_at: null, offer_expires_at: null, responded_at: null, created_at: now };
  await trx.insertInto('ticket_members').values({
    offered_at: null, offer_expires_at: null, created_at: now, ...values, ticket_id: ticketId, user_id: userId, is_primary: 0,
  }).onConflict((oc) => oc.columns(['ticket_id', 'user_id']).doUpdateSet(values)).execute();
}
