import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { untilChanged } from '../db/change-cache.js';
import { loadTeams, ticketReach, type Teams } from '../policy/tickets.js';
import type { Actor } from '../users/actor.js';

/**
 * Permissions as a query scope: every list, search and count of tickets starts here.
 * It is the rule of `can(actor, 'ticket.see', ticket)` (policy/tickets.ts) written as a query, and
 * must agree with it (test/policy/agreement.test.ts).
 */
export function visibleTickets(db: Db, actor: Actor) {
  // A ticket in the recycle bin (issue 20) is in no list, search, count or portal page: only the bin's own page reads it.
  const tickets = everyTicket(db);
  const reach = ticketReach(actor);
  if (reach === 'everything') return tickets;
  if (reach === 'nothing') return tickets.where(sql<boolean>`1 = 0`);
  if (reach === 'agent') return actor.teams ? teamScope(db, actor.teams) : agentScope(db, actor.id);
  return tickets.where((eb) => eb.or([
    eb('tickets.requester_id', '=', actor.id),
    eb('tickets.id', 'in', db.selectFrom('ticket_ccs').select('ticket_id').where('user_id', '=', actor.id)),
    // The organisation's tickets: for its managers always, for other members when it shares them.
    ...(actor.organizationId !== null && actor.isOrgManager
      ? [eb('tickets.organization_id', '=', actor.organizationId)]
      : []),
    ...(actor.organizationId !== null && !actor.isOrgManager
      ? [eb.and([
        eb('tickets.organization_id', '=', actor.organizationId),
        eb.exists(db.selectFrom('organizations').select('id')
          .where('id', '=', actor.organizationId).where('members_see_all_tickets', '=', 1)),
      ])]
      : []),
  ])).where('tickets.visibility', '=', 'public');
}

/**
 * The tickets an agent (not a supervisor or admin) sees. Agents who belong only to restricted groups
 * (external providers) see only their groups' tickets: "not restricted-only (in no group, or in at
 * least one unrestricted group), or the ticket is in one of their groups". One SQL fragment: the
 * builder's version of it cost ~0.1 ms on every agent page, several times on some. `agentId` is only
 * a value here, so reusable queries (db/reusable.ts) may start from it.
 */
export function agentScope(db: Db, agentId: number) {
  return db.selectFrom('tickets').where('tickets.binned_at', 'is', null)
    .where(sql<boolean>`(not exists (select 1 from group_members gm join groups g on g.id = gm.group_id
        where gm.user_id = ${agentId} and g.is_restricted = 1 and not exists (select 1 from group_members gm2
          join groups g2 on g2.id = gm2.group_id where gm2.user_id = ${agentId} and g2.is_restricted = 0))
      or tickets.group_id in (select group_id from group_members where user_id = ${agentId}))`);
}

/**
 * The agent rule with their groups already known (actor.teams, from withTeams): every ticket, or a
 * restricted-only agent's groups' tickets. Without the rule's subqueries, PostgreSQL estimates the
 * scope right: with them it guessed an agent's open tickets at 1,013 of 1,350 and read all 1,209 of
 * them to sort (3.5–4 ms a page at 1M tickets) instead of walking (assignee_id, last_activity_at).
 */
function teamScope(db: Db, teams: Teams) {
  return teams.restrictedOnly ? everyTicket(db).where('tickets.group_id', 'in', [...teams.groupIds]) : everyTicket(db);
}

/**
 * All that visibleTickets' SQL depends on besides the actor's id and organisation (values in it), for
 * statements compiled once per shape (db/reusable.ts, reusableShapes): whatever it branches on must be here.
 */
export function scopeShape(actor: Actor): string {
  return JSON.stringify([ticketReach(actor), actor.organizationId === null, actor.isOrgManager, actor.teams ?? null]);
}

/**
 * Everything of the person visibleTickets reads (an agent's groups come from the database): the key
 * of what is remembered of their tickets until the database changes (agent/list-data.ts, portal/my-tickets.ts).
 */
export function scopeKey(actor: Actor): string {
  return `${actor.id}:${ticketReach(actor)}:${actor.organizationId ?? ''}:${actor.isOrgManager}:${JSON.stringify(actor.teams ?? null)}`;
}

/** An agent's groups, remembered until the database changes (a page asks once). */
const teamsOf = untilChanged((db: Db, userId: number) => loadTeams(db, userId));

/**
 * The actor with an agent's groups loaded (others as they are), so that visibleTickets applies the
 * agent rule already worked out: for the pages whose one statement reads many tickets (the list,
 * search). Agrees with the rule by construction; the groups are read afresh after any write.
 */
export async function withTeams(db: Db, actor: Actor): Promise<Actor> {
  return ticketReach(actor) === 'agent' && !actor.teams ? { ...actor, teams: await teamsOf(db, actor.id) } : actor;
}

/** Every ticket outside the recycle bin: what supervisors and admins see. */
export function everyTicket(db: Db) {
  return db.selectFrom('tickets').where('tickets.binned_at', 'is', null);
}

/**
 * Queries compiled once (db/reusable.ts) need a scope whose shape does not depend on the person:
 * staff scopes are one of two shapes, with the agent's id as a value. Customers' scopes vary with
 * their organisation; they take the built query.
 */
export function staffScopeOf(actor: Actor): 'everything' | 'agent' | null {
  const reach = ticketReach(actor);
  return reach === 'everything' || reach === 'agent' ? reach : null;
}

export type TicketScope = () => ReturnType<typeof visibleTickets>;

/**
 * The same scope with an agent's group rule worked out first (one small lookup), for statistics that
 * read thousands of rows: an unrestricted agent's figures then come from an index alone instead of
 * a per-row group check. Agrees with visibleTickets by construction.
 */
export async function resolvedScope(db: Db, actor: Actor): Promise<TicketScope> {
  const resolved = await withTeams(db, actor);
  return () => visibleTickets(db, resolved);
}
