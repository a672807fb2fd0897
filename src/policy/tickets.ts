import type { Db } from '../db/connect.js';
import type { Actor } from '../users/actor.js';

/**
 * Who sees which ticket, in the two forms that must agree: `seesTicket` (the predicate behind
 * `can(actor, 'ticket.see', facts)`) and `visibleTickets` in tickets/scope.ts (the same rule as a
 * query, where every list, search and count starts). Both branch on `ticketReach` alone.
 *
 * Admins and supervisors see everything. Agents see everything unless every group they belong to
 * is restricted (an external provider): then only their groups' tickets. Customers see public
 * tickets they requested or are CC'd on, and their organisation's (its managers always, other
 * members when it shares). A disabled account sees nothing.
 */
export type TicketReach = 'nothing' | 'everything' | 'agent' | 'customer';

export function ticketReach(actor: Pick<Actor, 'role'> & { state?: Actor['state'] }): TicketReach {
  if (actor.state === 'disabled') return 'nothing';
  switch (actor.role) {
    case 'admin':
    case 'supervisor': return 'everything';
    case 'agent': return 'agent';
    case 'customer': return 'customer';
  }
}

/** An agent's groups, worked out once: what the restricted-provider rule needs. */
export interface Teams {
  groupIds: readonly number[];
  /** In at least one group, and every one of them restricted. */
  restrictedOnly: boolean;
}

export function teamsFrom(groups: readonly { group_id: number; is_restricted: number }[]): Teams {
  return {
    groupIds: groups.map((g) => g.group_id),
    restrictedOnly: groups.length > 0 && groups.every((g) => g.is_restricted === 1),
  };
}

export async function loadTeams(db: Db, userId: number): Promise<Teams> {
  return teamsFrom(await db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select(['group_members.group_id', 'groups.is_restricted']).where('group_members.user_id', '=', userId).execute());
}

/**
 * What the predicate reads about a ticket. Staff need only its group; the rest matters to customers,
 * and the customer rule refuses to guess when any of it is missing (loadTicketFacts has it all).
 */
export interface TicketFacts {
  group_id: number | null;
  requester_id?: number;
  organization_id?: number | null;
  visibility?: 'internal' | 'public';
  cc_ids?: readonly number[];
  organization_shares?: boolean;
}

/** The facts of one ticket, for the predicate. */
export async function loadTicketFacts(db: Db, ticketId: number): Promise<Required<TicketFacts> | undefined> {
  const row = await db.selectFrom('tickets').leftJoin('organizations', 'organizations.id', 'tickets.organization_id')
    .select(['tickets.requester_id', 'tickets.organization_id', 'tickets.group_id', 'tickets.visibility', 'organizations.members_see_all_tickets'])
    .where('tickets.id', '=', ticketId).executeTakeFirst();
  if (!row) return undefined;
  const ccs = await db.selectFrom('ticket_ccs').select('user_id').where('ticket_id', '=', ticketId).execute();
  return {
    requester_id: row.requester_id, organization_id: row.organization_id, group_id: row.group_id, visibility: row.visibility,
    cc_ids: ccs.map((cc) => cc.user_id), organization_shares: row.members_see_all_tickets === 1,
  };
}

type Viewer = Pick<Actor, 'id' | 'role'> & Partial<Pick<Actor, 'state' | 'organizationId' | 'isOrgManager' | 'teams'>>;

/** Missing facts are a programming error, never a silent yes or no. */
export function seesTicket(viewer: Viewer, ticket: TicketFacts): boolean {
  switch (ticketReach(viewer)) {
    case 'nothing': return false;
    case 'everything': return true;
    case 'agent': {
      if (!viewer.teams) throw new Error('policy: ticket.see for an agent needs their teams (loadTeams)');
      return !viewer.teams.restrictedOnly || (ticket.group_id !== null && viewer.teams.groupIds.includes(ticket.group_id));
    }
    case 'customer': {
      const { requester_id: requester, organization_id: organization, visibility, cc_ids: ccs, organization_shares: shares } = ticket;
      if (requester === undefined || organization === undefined || visibility === undefined || ccs === undefined || shares === undefined) {
        throw new Error('policy: ticket.see for a customer needs all of the ticket\'s facts (loadTicketFacts)');
      }
      if (visibility !== 'public') return false;
      if (requester === viewer.id || ccs.includes(viewer.id)) return true;
      const org = viewer.organizationId ?? null;
      return org !== null && organization === org && (viewer.isOrgManager === true || shares);
    }
  }
}
