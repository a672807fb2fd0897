import type { Db } from '../db/connect.js';
import { can } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { eligibleStaff, listTicketMembers, type MemberRow, type StaffMember } from './queries.js';

export interface FleetRow {
  userId: number;
  name: string;
  email: string;
  primary: boolean;
  /** Opened the ticket since they were assigned or offered it (available people: ever). */
  seen: boolean;
  offeredAt: string | null;
  expiresAt: string | null;
  /** The last answer to an earlier offer (declined, withdrawn, expired), shown beside available people. */
  lastOffer: string | null;
  inGroup: boolean;
}

/** A person has seen the ticket when their last view is at or after they joined its fleet. */
function seenSince(member: MemberRow): boolean {
  const since = member.offered_at ?? member.created_at;
  return member.seen_at !== null && member.seen_at >= since;
}

/**
 * The Fleet Management tab: assigned employees (accepted an offer or were assigned; the primary one
 * is the ticket's assignee), requested employees (an open offer), and the available rest of the
 * staff who could work the ticket, members of its group first. Only supervisors and admins manage.
 */
export async function fleetTab(db: Db, actor: Actor, ticket: { id: number; group_id: number | null; assignee_id: number | null }) {
  const members = await listTicketMembers(db, ticket.id);
  const staff = await eligibleStaff(db, ticket);
  const inGroup = new Set(staff.filter((p) => p.inGroup).map((p) => p.id));
  const row = (m: MemberRow): FleetRow => ({
    // Whoever looks at the tab is seeing the ticket now (their view is recorded after the page is drawn).
    userId: m.user_id, name: m.name, email: m.email, primary: m.is_primary === 1, seen: m.user_id === actor.id || seenSince(m),
    offeredAt: m.offered_at, expiresAt: m.role === 'requested' ? m.offer_expires_at : null, lastOffer: null, inGroup: inGroup.has(m.user_id),
  });
  const seen = new Set((await db.selectFrom('ticket_seen').select('user_id').where('ticket_id', '=', ticket.id).execute()).map((r) => r.user_id));
  seen.add(actor.id);
  const assigned = members.filter((m) => m.role === 'assigned').map(row);
  const legacy = staff.find((p) => p.id === ticket.assignee_id && !assigned.some((r) => r.userId === p.id));
  // An assignee from before fleets existed has no fleet row yet: shown as the primary all the same.
  if (legacy) assigned.unshift({ ...toRow(legacy, seen.has(legacy.id), null), primary: true });
  const requested = members.filter((m) => m.role === 'requested' && m.offer_state === 'pending').map(row);
  const taken = new Set([...assigned, ...requested].map((r) => r.userId));
  const pastOffers = new Map(members.filter((m) => m.role === 'requested').map((m) => [m.user_id, m.offer_state]));
  const available = staff.filter((p) => !taken.has(p.id)).map((p) => toRow(p, seen.has(p.id), pastOffers.get(p.id) ?? null));
  return { fleet: { assigned, requested, available, canManage: can(actor, 'fleet.manage') } };
}

function toRow(p: StaffMember, seen: boolean, lastOffer: string | null): FleetRow {
  return { userId: p.id, name: p.name, email: p.email, primary: false, seen, offeredAt: null, expiresAt: null, lastOffer, inGroup: p.inGroup };
}
