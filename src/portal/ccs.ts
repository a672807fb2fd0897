import type { Db } from '../db/connect.js';
import { changeTicket } from '../kernel/index.js';
import { Forbidden, Invalid } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { sideOf } from '../policy/can.js';
import { throttleInvitation } from '../users/invite-customer.js';
import { createCustomer } from '../users/customers.js';
import { findUserByEmail } from '../users/queries.js';
import type { Actor } from '../users/actor.js';
import { customerTicket } from '../tickets/customer.js';
import type { AddCcInput } from './schemas.js';

/**
 * The requester copies someone in on their ticket (by address; an unknown address is invited as a
 * customer), or takes them off again. Staff are never CC'd (they see tickets anyway), nor disabled
 * accounts; both get the same answer, so the form does not tell a customer which addresses are staff.
 */
export async function addCcByCustomer(db: Db, actor: Actor, ticketId: number, input: AddCcInput): Promise<void> {
  const { email } = input;
  await db.transaction().execute(async (trx) => {
    const ticket = await customerTicket(trx, actor, ticketId);
    if (ticket.requester_id !== actor.id) throw new Forbidden('portal.ccs.onlyRequester');
    let person = await findUserByEmail(trx, email);
    if (person && (sideOf(person) !== 'customer' || person.state === 'disabled')) throw new Invalid({ email: 'portal.ccs.cannotAdd' });
    if (person?.id === actor.id) throw new Invalid({ email: 'portal.ccs.notYourself' });
    const now = nowIso();
    const newcomer = !person;
    if (!person) {
      await throttleInvitation(trx, actor, email);
      person = await createCustomer(trx, { email, name: email.split('@')[0]!, state: 'invited', now });
    }
    const already = await trx.selectFrom('ticket_ccs').select('user_id').where('ticket_id', '=', ticket.id).where('user_id', '=', person.id).executeTakeFirst();
    if (already) return;
    // A newcomer gets the "Create password" mail from the notifications consumer.
    await changeTicket(trx, actor, ticket.id, {
      ccs: { add: [person.id] }, history: [{ kind: 'ccs', from: null, to: person.email }], at: now,
      ...(newcomer ? { notify: { invite: [person.id] } } : {}),
    });
  });
}

/** `userId` null (no id at all) takes nobody off. */
export async function removeCcByCustomer(db: Db, actor: Actor, ticketId: number, input: { userId: number | null }): Promise<void> {
  const { userId } = input;
  await db.transaction().execute(async (trx) => {
    const ticket = await customerTicket(trx, actor, ticketId);
    if (ticket.requester_id !== actor.id) throw new Forbidden('portal.ccs.onlyRequester');
    const person = await trx.selectFrom('ticket_ccs').innerJoin('users', 'users.id', 'ticket_ccs.user_id').select(['users.id', 'users.email'])
      .where('ticket_ccs.ticket_id', '=', ticket.id).where('ticket_ccs.user_id', '=', userId ?? -1).executeTakeFirst();
    if (!person) return;
    await changeTicket(trx, actor, ticket.id, { ccs: { remove: [person.id] }, history: [{ kind: 'ccs', from: person.email, to: null }] });
  });
}
