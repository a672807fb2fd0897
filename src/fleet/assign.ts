import type { Db } from '../db/connect.js';
import { Conflict, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { applyAssignee } from '../tickets/assignment.js';
import { findVisibleTicket } from '../tickets/queries.js';
import type { Actor } from '../users/actor.js';
import { fleetEvent, putAssignedMember } from './members.js';
import { assertFleetManager, eligiblePerson, membersNeeded, openTicketFor, settleOffers } from './offers.js';
import { assignedMembers, findMember } from './queries.js';
import type { FleetPersonInput } from './schemas.js';

/**
 * A supervisor or admin assigns someone from the Fleet tab. The first assigned employee becomes
 * the ticket's assignee (with applyAssignee's status move and mail); later ones join the fleet
 * beside them. Managers may assign beyond the number the type needs (only acceptances are capped);
 * reaching that number withdraws the offers still open.
 */
export async function addFleetAssignee(db: Db, actor: Actor, ticketId: number, input: FleetPersonInput): Promise<void> {
  assertFleetManager(actor);
  await db.transaction().execute(async (trx) => {
    const now = nowIso();
    const ticket = await openTicketFor(trx, actor, ticketId);
    const person = await eligiblePerson(trx, ticket, input.userId);
    if ((await findMember(trx, ticket.id, person.id))?.role === 'assigned') throw new Conflict('offers.errors.alreadyAssigned');
    if (ticket.assignee_id === null) {
      await applyAssignee(trx, actor, ticket, person.id, now);
    } else {
      await putAssignedMember(trx, ticket.id, person.id, now, false);
      await fleetEvent(trx, ticket.id, actor.id, 'member_added', person.name, now, person.id === actor.id ? undefined : { assigned: [person.id] });
    }
    await settleOffers(trx, ticket.id, await membersNeeded(trx, ticket.type_id), now);
  });
}

/**
 * A supervisor or admin takes someone off the ticket. When that was the primary assignee, the
 * assigned employee who joined first after them takes over as assignee (or nobody, when none is left).
 */
export async function removeFleetAssignee(db: Db, actor: Actor, ticketId: number, userId: number): Promise<void> {
  assertFleetManager(actor);
  await db.transaction().execute(async (trx) => {
    const now = nowIso();
    const ticket = await findVisibleTicket(trx, actor, ticketId);
    if (!ticket) throw new NotFound();
    if (ticket.assignee_id === userId) {
      const next = (await assignedMembers(trx, ticket.id)).find((m) => m.user_id !== userId);
      await applyAssignee(trx, actor, ticket, next?.user_id ?? null, now);
      return;
    }
    const member = await findMember(trx, ticket.id, userId);
    if (!member || member.role !== 'assigned') throw new Conflict('offers.errors.notAssigned');
    await trx.deleteFrom('ticket_members').where('ticket_id', '=', ticket.id).where('user_id', '=', userId).execute();
    const person = await trx.selectFrom('users').select('name').where('id', '=', userId).executeTakeFirstOrThrow();
    await fleetEvent(trx, ticket.id, actor.id, 'member_removed', person.name, now);
  });
}
