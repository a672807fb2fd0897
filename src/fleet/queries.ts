import type { Db } from '../db/connect.js';
import type { Role } from '../db/schema.js';
import { can, rolesOn } from '../policy/can.js';
import { teamsFrom } from '../policy/tickets.js';

/** Categories whose tickets no longer need anyone: they do not count as someone's open work. */
export const DONE_CATEGORIES = ['solved', 'closed', 'cancelled'] as const;

export interface StaffMember {
  id: number;
  name: string;
  email: string;
  locale: string;
  role: Role;
  inGroup: boolean;
}

/**
 * The staff who could work a ticket: active admins, supervisors and agents who may see it (an agent
 * who belongs only to restricted groups sees only those groups' tickets). Members of the ticket's
 * group come first, then by name.
 */
export async function eligibleStaff(db: Db, ticket: { group_id: number | null }): Promise<StaffMember[]> {
  const people = await db.selectFrom('users').select(['id', 'name', 'email', 'locale', 'role'])
    .where('role', 'in', rolesOn('staff')).where('state', '=', 'active').orderBy('name').orderBy('id').limit(1000).execute();
  const memberships = await db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select(['group_members.user_id', 'group_members.group_id', 'groups.is_restricted'])
    .where('group_members.user_id', 'in', db.selectFrom('users').select('id').where('role', 'in', rolesOn('staff'))).execute();
  const groupsOf = new Map<number, { group_id: number; is_restricted: number }[]>();
  for (const m of memberships) groupsOf.set(m.user_id, [...(groupsOf.get(m.user_id) ?? []), m]);
  const staff = people.map((p) => {
    const groups = groupsOf.get(p.id) ?? [];
    const inGroup = ticket.group_id !== null && groups.some((g) => g.group_id === ticket.group_id);
    return { ...p, inGroup, visible: can({ id: p.id, role: p.role, teams: teamsFrom(groups) }, 'ticket.see', ticket) };
  }).filter((p) => p.visible).map(({ visible: _, ...p }) => p);
  return [...staff.filter((p) => p.inGroup), ...staff.filter((p) => !p.inGroup)];
}

/** The ticket's fleet rows with each person's name and when they last opened the ticket. */
export function listTicketMembers(db: Db, ticketId: number) {
  return db.selectFrom('ticket_members').innerJoin('users', 'users.id', 'ticket_members.user_id')
    .leftJoin('ticket_seen', (join) => join.onRef('ticket_seen.ticket_id', '=', 'ticket_members.ticket_id')
      .onRef('ticket_seen.user_id', '=', 'ticket_members.user_id'))
    .select(['ticket_members.user_id', 'ticket_members.role', 'ticket_members.offer_state', 'ticket_members.offered_at',
      'ticket_members.offer_expires_at', 'ticket_members.responded_at', 'ticket_members.is_primary', 'ticket_members.created_at',
      'users.name', 'users.email', 'ticket_seen.seen_at'])
    .where('ticket_members.ticket_id', '=', ticketId)
    .orderBy('ticket_members.is_primary', 'desc').orderBy('users.name').execute();
}

export type MemberRow = Awaited<ReturnType<typeof listTicketMembers>>[number];

export function findMember(db: Db, ticketId: number, userId: number) {
  return db.selectFrom('ticket_members').selectAll()
    .where('ticket_id', '=', ticketId).where('user_id', '=', userId).executeTakeFirst();
}

/** The assigned members, the primary first, then in the order they joined. */
export function assignedMembers(db: Db, ticketId: number) {
  return db.selectFrom('ticket_members').innerJoin('users', 'users.id', 'ticket_members.user_id')
    .select(['ticket_members.user_id', 'ticket_members.is_primary', 'users.name'])
    .where('ticket_members.ticket_id', '=', ticketId).where('ticket_members.role', '=', 'assigned')
    .orderBy('ticket_members.is_primary', 'desc').orderBy('ticket_members.created_at').orderBy('ticket_members.user_id').execute();
}

/** A person's open offers (newest first), each with its ticket, for their Offers inbox. */
export function pendingOffersFor(db: Db, userId: number) {
  return db.selectFrom('ticket_members').innerJoin('tickets', 'tickets.id', 'ticket_members.ticket_id')
    .innerJoin('statuses', 'statuses.id', 'tickets.status_id')
    .innerJoin('users as requester', 'requester.id', 'tickets.requester_id')
    .leftJoin('groups', 'groups.id', 'tickets.group_id')
    .select(['tickets.id', 'tickets.subject', 'tickets.priority', 'statuses.name as status_name', 'groups.name as group_name',
      'requester.name as requester_name', 'ticket_members.offered_at', 'ticket_members.offer_expires_at'])
    .where('ticket_members.user_id', '=', userId).where('ticket_members.role', '=', 'requested')
    .where('ticket_members.offer_state', '=', 'pending')
    .orderBy('ticket_members.offered_at', 'desc').orderBy('tickets.id', 'desc').limit(200).execute();
}

/** How many open offers wait for the person (the side menu's count; capped like the other counts). */
export async function countPendingOffers(db: Db, userId: number): Promise<number> {
  const rows = await db.selectFrom('ticket_members').select('ticket_id')
    .where('user_id', '=', userId).where('role', '=', 'requested').where('offer_state', '=', 'pending').limit(1000).execute();
  return rows.length;
}

/**
 * Open tickets per person (not solved, closed or cancelled) where they are the assignee or an
 * assigned member: the load that load-balanced dispatch evens out.
 */
export async function openTicketLoad(db: Db, userIds: number[]): Promise<Map<number, number>> {
  const load = new Map(userIds.map((id) => [id, 0]));
  if (userIds.length === 0) return load;
  const open = db.selectFrom('statuses').select('id').where('category', 'not in', [...DONE_CATEGORIES]);
  const rows = await db.selectFrom('tickets').select(['tickets.id', 'tickets.assignee_id as user_id'])
    .where('tickets.assignee_id', 'in', userIds).where('tickets.status_id', 'in', open)
    .union(db.selectFrom('ticket_members').innerJoin('tickets', 'tickets.id', 'ticket_members.ticket_id')
      .select(['tickets.id', 'ticket_members.user_id'])
      .where('ticket_members.user_id', 'in', userIds).where('ticket_members.role', '=', 'assigned')
      .where('tickets.status_id', 'in', open))
    .execute();
  for (const row of rows) if (row.user_id !== null) load.set(row.user_id, (load.get(row.user_id) ?? 0) + 1);
  return load;
}
