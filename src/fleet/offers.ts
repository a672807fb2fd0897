import type { Db, Trx } from '../db/connect.js';
import { Conflict, Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { HOUR, isoIn, nowIso } from '../lib/time.js';
import { getNumberSetting } from '../settings/settings.js';
import { STATUS_SETTINGS } from '../statuses/queries.js';
import { applyAssignee } from '../tickets/assignment.js';
import { findVisibleTicket } from '../tickets/queries.js';
import { applyStatus } from '../tickets/status.js';
import { can } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { fleetEvent, putAssignedMember } from './members.js';
import { assignedMembers, DONE_CATEGORIES, eligibleStaff, findMember, type StaffMember } from './queries.js';
import type { FleetPersonInput } from './schemas.js';

export type FleetTicket = NonNullable<Awaited<ReturnType<typeof findVisibleTicket>>>;

export const DEFAULT_OFFER_HOURS = 24;

/** Supervisors and admins manage the fleet; agents only look (and answer their own offers). */
export function assertFleetManager(actor: Actor): void {
  if (!can(actor, 'fleet.manage')) throw new Forbidden();
}

/** The ticket, in the actor's scope, still open to new people: not a draft and not finished. */
export async function openTicketFor(trx: Db, actor: Actor, ticketId: number): Promise<FleetTicket> {
  const ticket = await findVisibleTicket(trx, actor, ticketId);
  if (!ticket) throw new NotFound();
  if (ticket.status_category === 'draft') throw new Conflict('offers.errors.draft');
  if ((DONE_CATEGORIES as readonly string[]).includes(ticket.status_category)) throw new Conflict('offers.errors.ticketDone');
  return ticket;
}

/** The person a form names (null: no id), if they could work the ticket. */
export async function eligiblePerson(trx: Db, ticket: FleetTicket, id: number | null): Promise<StaffMember> {
  const person = id === null ? undefined : (await eligibleStaff(trx, ticket)).find((p) => p.id === id);
  if (!person) throw new Invalid({ userId: 'offers.errors.notEligible' }, 'offers.errors.notEligible');
  return person;
}

/**
 * Offer the ticket to one person inside the caller's transaction: their fleet row becomes an open
 * offer expiring after `offers.expiry_hours`, they get a mail pointing at their Offers inbox, and
 * the history says so. A declined, withdrawn or expired offer can be made again.
 */
export async function sendOffer(trx: Trx, actorId: number | null, ticket: { id: number; subject: string; brand_id: number },
  person: StaffMember, now: string): Promise<void> {
  const hours = (await getNumberSetting(trx, 'offers.expiry_hours')) ?? DEFAULT_OFFER_HOURS;
  const expiresAt = isoIn(hours * HOUR, Date.parse(now));
  const offer = { role: 'requested' as const, offer_state: 'pending' as const, offered_at: now, offer_expires_at: expiresAt, responded_at: null, is_primary: 0 as const, created_at: now };
  await trx.insertInto('ticket_members').values({ ticket_id: ticket.id, user_id: person.id, ...offer })
    .onConflict((oc) => oc.columns(['ticket_id', 'user_id']).doUpdateSet(offer)).execute();
  // The mail is the notifications consumer's (src/notify/offers.ts), from this change's event.
  await fleetEvent(trx, ticket.id, actorId, 'offer', person.name, now, { offered: [person.id] });
}

/** A supervisor or admin offers the ticket to someone from the Fleet Management tab. */
export async function offerTicket(db: Db, actor: Actor, ticketId: number, input: FleetPersonInput): Promise<void> {
  assertFleetManager(actor);
  await db.transaction().execute(async (trx) => {
    const ticket = await openTicketFor(trx, actor, ticketId);
    const person = await eligiblePerson(trx, ticket, input.userId);
    const member = await findMember(trx, ticket.id, person.id);
    if (member?.role === 'assigned') throw new Conflict('offers.errors.alreadyAssigned');
    if (member?.offer_state === 'pending') throw new Conflict('offers.errors.alreadyOffered');
    await sendOffer(trx, actor.id, ticket, person, nowIso());
  });
}

/** A supervisor or admin takes an open offer back: it leaves the person's inbox and can no longer be accepted. */
export async function withdrawOffer(db: Db, actor: Actor, ticketId: number, userId: number): Promise<void> {
  assertFleetManager(actor);
  await db.transaction().execute(async (trx) => {
    const ticket = await findVisibleTicket(trx, actor, ticketId);
    if (!ticket) throw new NotFound();
    await closeOffer(trx, ticket.id, userId, 'withdrawn', actor.id, nowIso());
  });
}

/** An open offer ends (withdrawn, declined or expired): its state, the answer's time, one history event. */
export async function closeOffer(trx: Trx, ticketId: number, userId: number, state: 'withdrawn' | 'declined' | 'expired',
  actorId: number | null, now: string): Promise<void> {
  const member = await findMember(trx, ticketId, userId);
  if (!member || member.role !== 'requested' || member.offer_state !== 'pending') throw new Conflict('offers.errors.notOpen');
  await trx.updateTable('ticket_members').set({ offer_state: state, responded_at: now })
    .where('ticket_id', '=', ticketId).where('user_id', '=', userId).execute();
  const person = await trx.selectFrom('users').select('name').where('id', '=', userId).executeTakeFirstOrThrow();
  await fleetEvent(trx, ticketId, actorId, `offer_${state}`, person.name, now);
}

/** The person's own open offer on the ticket, or why it cannot be answered any more (409). */
async function ownOpenOffer(trx: Db, actor: Actor, ticketId: number, now: string) {
  if (!can(actor, 'offers.answer')) throw new Forbidden();
  const member = await findMember(trx, ticketId, actor.id);
  if (!member || member.offered_at === null) throw new NotFound();
  if (member.role === 'assigned') throw new Conflict('offers.errors.alreadyAssigned');
  if (member.offer_state !== 'pending') throw new Conflict(`offers.errors.${member.offer_state ?? 'notOpen'}`);
  // The expiry job may not have run yet: an offer past its time is expired all the same.
  if (member.offer_expires_at !== null && member.offer_expires_at <= now) throw new Conflict('offers.errors.expired');
  return member;
}

/**
 * The offered person accepts. They become an assigned employee (the primary assignee when the
 * ticket has none); a ticket still new moves to the accepted-offer status (else the assignment
 * status). Once the ticket has as many assigned employees as its type needs, acceptances beyond
 * that are refused and the remaining open offers are withdrawn.
 */
export async function acceptOffer(db: Db, actor: Actor, ticketId: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const now = nowIso();
    await ownOpenOffer(trx, actor, ticketId, now);
    let ticket = await openTicketFor(trx, actor, ticketId);
    const needed = await membersNeeded(trx, ticket.type_id);
    if ((await assignedMembers(trx, ticket.id)).length >= needed) throw new Conflict('offers.errors.full');
    await putAssignedMember(trx, ticket.id, actor.id, now, true);
    await fleetEvent(trx, ticket.id, actor.id, 'offer_accepted', actor.name, now);
    if (ticket.status_category === 'new') {
      const target = (await getNumberSetting(trx, STATUS_SETTINGS.offerAccepted)) ?? (await getNumberSetting(trx, STATUS_SETTINGS.assignment));
      // A status that needs fields nobody filled yet is skipped (nothing was written): the acceptance still counts.
      if (target !== null) await applyStatus(trx, actor, ticket, target, now).catch(skipInvalid);
    }
    if (ticket.assignee_id === null) {
      ticket = (await findVisibleTicket(trx, actor, ticket.id))!;
      await applyAssignee(trx, actor, ticket, actor.id, now).catch(skipInvalid);
    }
    await settleOffers(trx, ticket.id, needed, now);
  });
}

/** The offered person says no: the offer leaves their inbox and the Fleet tab lists them as available. */
export async function declineOffer(db: Db, actor: Actor, ticketId: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const now = nowIso();
    await ownOpenOffer(trx, actor, ticketId, now);
    await closeOffer(trx, ticketId, actor.id, 'declined', actor.id, now);
  });
}

export async function membersNeeded(trx: Db, typeId: number): Promise<number> {
  const type = await trx.selectFrom('ticket_types').select('members_needed').where('id', '=', typeId).executeTakeFirst();
  return Math.max(1, type?.members_needed ?? 1);
}

/** Enough people are assigned: the offers still open are withdrawn by Deskbell (one event each). */
export async function settleOffers(trx: Trx, ticketId: number, needed: number, now: string): Promise<void> {
  if ((await assignedMembers(trx, ticketId)).length < needed) return;
  const open = await trx.selectFrom('ticket_members').select('user_id')
    .where('ticket_id', '=', ticketId).where('role', '=', 'requested').where('offer_state', '=', 'pending').execute();
  for (const row of open) await closeOffer(trx, ticketId, row.user_id, 'withdrawn', null, now);
}

function skipInvalid(error: unknown): void {
  if (!(error instanceof Invalid)) throw error;
}
