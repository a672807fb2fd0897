import type { Db, Trx } from '../db/connect.js';
import { nowIso } from '../lib/time.js';
import { applyAssignee } from '../tickets/assignment.js';
import { findVisibleTicket } from '../tickets/queries.js';
import type { Actor } from '../users/actor.js';
import { fleetEvent, putAssignedMember } from './members.js';
import { sendOffer } from './offers.js';
import { DONE_CATEGORIES, eligibleStaff, openTicketLoad, type StaffMember } from './queries.js';

export const DISPATCH_POLICIES = ['none', 'offer_all', 'offer_n', 'round_robin', 'load_balanced'] as const;
export type DispatchPolicy = (typeof DISPATCH_POLICIES)[number];

/** What a ticket type says of dispatching (ticket_types' columns). */
export interface DispatchRule { dispatch_policy: string; dispatch_count: number; members_needed: number }

/** Only to read the ticket unscoped: dispatch is Deskbell's own act, recorded with no actor. */
const READER: Actor = { id: 0, email: '', name: 'Deskbell', role: 'admin', organizationId: null, isOrgManager: false, locale: 'en', timeZone: null };

/**
 * The one place a new ticket meets its type's dispatch policy, called in the creating transaction by
 * every creation path (agent form, portal, inbound mail, a submitted draft). The pool is the active
 * staff of the ticket's group who may see it; a ticket without a group draws on all staff.
 * Drafts and tickets created already finished are left alone. Offers go to everyone (offer_all)
 * or to the next N of the rotation (offer_n, N = the type's count, else the members needed);
 * round_robin and load_balanced assign as many people as the type needs, the first as assignee.
 */
export async function dispatchTicket(trx: Trx, ticketId: number, known?: DispatchRule): Promise<void> {
  // The type's policy first: most types dispatch nothing, and then the ticket need not be read.
  // A caller that has just read the type (the portal's topic) passes it: one query less in the
  // writer lock. The policy is configuration, like the topic itself; a change to it at this very
  // moment is as if the ticket had come a moment earlier.
  const type = known ?? await trx.selectFrom('tickets').innerJoin('ticket_types', 'ticket_types.id', 'tickets.type_id')
    .select(['ticket_types.dispatch_policy', 'ticket_types.dispatch_count', 'ticket_types.members_needed'])
    .where('tickets.id', '=', ticketId).executeTakeFirst();
  const policy = type?.dispatch_policy as DispatchPolicy | undefined;
  if (!type || !policy || policy === 'none' || !DISPATCH_POLICIES.includes(policy)) return;
  const ticket = await findVisibleTicket(trx, READER, ticketId);
  if (!ticket || ticket.status_category === 'draft' || (DONE_CATEGORIES as readonly string[]).includes(ticket.status_category)) return;
  const staff = await eligibleStaff(trx, ticket);
  const pool = staff.filter((p) => ticket.group_id === null || p.inGroup).sort((a, b) => a.id - b.id);
  if (pool.length === 0) return;
  const needed = Math.max(1, type.members_needed);
  const poolKey = ticket.group_id === null ? 'staff' : `group:${ticket.group_id}`;
  const now = nowIso();

  if (policy === 'offer_all' || policy === 'offer_n') {
    const people = policy === 'offer_all' ? pool : await rotate(trx, poolKey, pool, type.dispatch_count || needed);
    for (const person of people) await sendOffer(trx, null, ticket, person, now);
    return;
  }
  const people = policy === 'round_robin' ? await rotate(trx, poolKey, pool, needed) : await leastLoaded(trx, pool, needed);
  const [first, ...others] = people;
  await applyAssignee(trx, null, ticket, first!.id, now);
  for (const person of others) {
    await putAssignedMember(trx, ticket.id, person.id, now, false);
    await fleetEvent(trx, ticket.id, null, 'member_added', person.name, now);
  }
}

/**
 * The next `n` people of the pool (ordered by id) after the one the rotation picked last, wrapping
 * round; the pointer is kept per pool, so over many tickets everyone gets the same share even as
 * people join or leave.
 */
async function rotate(trx: Db, pool: string, people: StaffMember[], n: number): Promise<StaffMember[]> {
  const cursor = await trx.selectFrom('dispatch_cursors').select('last_user_id').where('pool', '=', pool).executeTakeFirst();
  const start = cursor ? Math.max(0, people.findIndex((p) => p.id > cursor.last_user_id)) : 0;
  const picked = Array.from({ length: Math.min(n, people.length) }, (_, i) => people[(start + i) % people.length]!);
  const last = picked[picked.length - 1]!.id;
  await trx.insertInto('dispatch_cursors').values({ pool, last_user_id: last })
    .onConflict((oc) => oc.column('pool').doUpdateSet({ last_user_id: last })).execute();
  return picked;
}

/**
 * The next person of the ticket's pool by the same rotation as round_robin dispatch (the active staff
 * of its group who may see it; all staff without a group): a trigger's "round robin" assignee.
 */
export async function nextInRotation(trx: Trx, ticketId: number): Promise<StaffMember | null> {
  const ticket = await findVisibleTicket(trx, READER, ticketId);
  if (!ticket) return null;
  const staff = await eligibleStaff(trx, ticket);
  const pool = staff.filter((p) => ticket.group_id === null || p.inGroup).sort((a, b) => a.id - b.id);
  if (pool.length === 0) return null;
  const [person] = await rotate(trx, ticket.group_id === null ? 'staff' : `group:${ticket.group_id}`, pool, 1);
  return person ?? null;
}

/** The `n` people with the fewest open tickets; ties go to the lower user id (the earlier account). */
async function leastLoaded(trx: Db, people: StaffMember[], n: number): Promise<StaffMember[]> {
  const load = await openTicketLoad(trx, people.map((p) => p.id));
  return [...people].sort((a, b) => load.get(a.id)! - load.get(b.id)! || a.id - b.id).slice(0, n);
}
