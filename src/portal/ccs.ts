import type { Db } from '../db/connect.js';
import { Forbidden, Invalid } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { Checker, positiveInt } from '../lib/validate.js';
import type { MailContext } from '../mail/context.js';
import { throttleInvitation } from '../users/invite-customer.js';
import { inviteCustomer } from '../users/invitations.js';
import { createCustomer } from '../users/customers.js';
import { findUserByEmail } from '../users/queries.js';
import type { Actor } from '../users/actor.js';
import { customerTicket } from './conversation.js';

/**
 * The requester copies someone in on their ticket (by address; an unknown address is invited as a
 * customer), or takes them off again. Staff are never CC'd: they see tickets anyway.
 */
export async function addCcByCustomer(db: Db, actor: Actor, ticketId: number, input: { email?: unknown }, mail: MailContext): Promise<void> {
  const check = new Checker();
  const email = check.email('email', input.email);
  check.done();
  await db.transaction().execute(async (trx) => {
    const ticket = await customerTicket(trx, actor, ticketId);
    if (ticket.requester_id !== actor.id) throw new Forbidden('portal.ccs.onlyRequester');
    let person = await findUserByEmail(trx, email);
    if (person && person.role !== 'customer') throw new Invalid({ email: 'tickets.errors.ccIsStaff' });
    if (person?.id === actor.id) throw new Invalid({ email: 'portal.ccs.notYourself' });
    const now = nowIso();
    if (!person) {
      await throttleInvitation(trx, actor, email);
      person = await createCustomer(trx, { email, name: email.split('@')[0]!, state: 'invited', now });
      await inviteCustomer(trx, person, mail);
    }
    const already = await trx.selectFrom('ticket_ccs').select('user_id').where('ticket_id', '=', ticket.id).where('user_id', '=', person.id).executeTakeFirst();
    if (already) return;
    await trx.insertInto('ticket_ccs').values({ ticket_id: ticket.id, user_id: person.id }).execute();
    await trx.insertInto('ticket_events').values({ ticket_id: ticket.id, actor_id: actor.id, kind: 'ccs', from_value: null, to_value: person.email, created_at: now }).execute();
  });
}

export async function removeCcByCustomer(db: Db, actor: Actor, ticketId: number, input: { userId?: unknown }): Promise<void> {
  const userId = positiveInt(input.userId);
  await db.transaction().execute(async (trx) => {
    const ticket = await customerTicket(trx, actor, ticketId);
    if (ticket.requester_id !== actor.id) throw new Forbidden('portal.ccs.onlyRequester');
    const person = await trx.selectFrom('ticket_ccs').innerJoin('users', 'users.id', 'ticket_ccs.user_id').select(['users.id', 'users.email'])
      .where('ticket_ccs.ticket_id', '=', ticket.id).where('ticket_ccs.user_id', '=', userId ?? -1).executeTakeFirst();
    if (!person) return;
    await trx.deleteFrom('ticket_ccs').where('ticket_id', '=', ticket.id).where('user_id', '=', person.id).execute();
    await trx.insertInto('ticket_events').values({ ticket_id: ticket.id, actor_id: actor.id, kind: 'ccs', from_value: person.email, to_value: null, created_at: nowIso() }).execute();
  });
}
