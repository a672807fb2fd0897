import type { Db } from '../db/connect.js';
import { dispatchTicket } from '../fleet/dispatch.js';
import { createTicket } from '../kernel/index.js';
import { Forbidden, Invalid } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { can, sideOf } from '../policy/can.js';
import { getNumberSetting } from '../settings/settings.js';
import { markSeen, startingStatus } from '../tickets/queries.js';
import type { Actor } from '../users/actor.js';
import { createCustomer } from '../users/customers.js';
import { findUserByEmail } from '../users/queries.js';
import type { OpenTicketInput } from './schemas.js';

/**
 * An agent opens a ticket on behalf of a customer, or an internal one. An unknown requester address
 * becomes a new customer, who is invited (a "Create password" mail) when the ticket is one they take
 * part in. The ticket starts in its type's initial status (seed 000: *Account created* is recorded
 * straight as Closed) or the default new status. Ticket, first message, history event and event
 * are written in one transaction, with the type's dispatch policy applied (the agent channel's own
 * step, as the portal's and mail-in's; the kernel knows nothing of the fleet). The invitation mail
 * is the notifications consumer's.
 */
export async function openTicketForCustomer(db: Db, actor: Actor, input: OpenTicketInput, channel: 'agent' | 'api' = 'agent'): Promise<number> {
  if (!can(actor, 'ticket.create')) throw new Forbidden();
  const { requesterEmail, requesterName, subject, message, priority, visibility } = input;
  const typeId = input.typeId ?? await getNumberSetting(db, 'default_type_id');

  return db.transaction().execute(async (trx) => {
    const type = typeId === null ? undefined : await trx.selectFrom('ticket_types').selectAll()
      .where('id', '=', typeId).where('retired_at', 'is', null).executeTakeFirst();
    if (!type) throw new Invalid({ typeId: 'errors.choice' });

    let requester = await findUserByEmail(trx, requesterEmail);
    if (requester && sideOf(requester) !== 'customer') throw new Invalid({ requesterEmail: 'tickets.errors.requesterIsStaff' });
    const now = nowIso();
    const newcomer = !requester;
    if (!requester) {
      requester = await createCustomer(trx, { email: requesterEmail, name: requesterName || requesterEmail.split('@')[0]!, state: 'invited', now });
    }
    const status = await startingStatus(trx, type.initial_status_id);
    const brandId = await getNumberSetting(trx, 'default_brand_id');
    if (!status || brandId === null) throw new Error('the desk has no "new" status or no brand');

    const { ticketId } = await createTicket(trx, actor, {
      channel, subject, typeId: type.id, brandId, statusId: status.id, statusCategory: status.category,
      priority: priority ?? type.default_priority, visibility,
      requester: { id: requester.id, organizationId: requester.organization_id }, groupId: type.default_group_id,
      message: { kind: visibility === 'internal' || type.customer_facing === 0 ? 'note' : 'reply', bodyText: message },
      ...(newcomer && visibility === 'public' && type.customer_facing === 1 ? { notify: { invite: [requester.id] } } : {}),
    });
    await markSeen(trx, actor.id, ticketId, now);
    await dispatchTicket(trx, ticketId);
    return ticketId;
  });
}
