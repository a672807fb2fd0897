import { changeTicket, type ChangeNotice } from '../kernel/index.js';
import type { Db, Trx } from '../db/connect.js';

/** Fleet history: who was offered, withdrawn, accepted, declined, expired, added or removed. */
export type FleetEventKind = 'offer' | 'offer_withdrawn' | 'offer_accepted' | 'offer_declined' | 'offer_expired' | 'member_added' | 'member_removed';

export async function fleetEvent(trx: Trx, ticketId: number, actorId: number | null, kind: FleetEventKind, person: string, now: string, notify?: ChangeNotice): Promise<void> {
  const removal = kind === 'offer_withdrawn' || kind === 'offer_declined' || kind === 'offer_expired' || kind === 'member_removed';
  await changeTicket(trx, actorId === null ? null : { id: actorId }, ticketId, {
    touch: true, history: [{ kind, from: removal ? person : null, to: removal ? null : person }], at: now, ...(notify ? { notify } : {}),
  });
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
