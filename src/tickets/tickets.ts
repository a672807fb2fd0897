import type { Db } from '../db/connect.js';
import type { Priority } from '../db/schema.js';
import { dispatchTicket } from '../fleet/dispatch.js';
import { Forbidden, Invalid } from '../lib/errors.js';
import { renderMarkdown } from '../messages/markdown.js';
import type { MailContext } from '../mail/context.js';
import { inviteCustomer } from '../users/invitations.js';
import { statusStamps } from './status.js';
import { nowIso } from '../lib/time.js';
import { Checker, positiveInt } from '../lib/validate.js';
import { getNumberSetting } from '../settings/settings.js';
import { isStaff, type Actor } from '../users/actor.js';
import { createCustomer } from '../users/customers.js';
import { findUserByEmail } from '../users/queries.js';
import { defaultStatusId, markSeen } from './queries.js';

export const PRIORITIES: readonly Priority[] = ['low', 'normal', 'high', 'urgent'];

export interface OpenTicketInput {
  requesterEmail?: unknown;
  requesterName?: unknown;
  subject?: unknown;
  message?: unknown;
  typeId?: unknown;
  priority?: unknown;
  visibility?: unknown;
}

/**
 * An agent opens a ticket on behalf of a customer, or an internal one. An unknown requester address
 * becomes a new customer, who is invited (a "Create password" mail) when the ticket is one they take
 * part in. The ticket starts in its type's initial status (seed 000: *Account created* is recorded
 * straight as Closed) or the default new status. Ticket, first message, history event and
 * invitation are written in one transaction.
 */
export async function openTicketForCustomer(db: Db, actor: Actor, input: OpenTicketInput, mail: MailContext): Promise<number> {
  if (!isStaff(actor)) throw new Forbidden();
  const check = new Checker();
  const requesterEmail = check.email('requesterEmail', input.requesterEmail);
  const requesterName = check.text('requesterName', input.requesterName, { required: false, max: 120 });
  const subject = check.text('subject', input.subject, { max: 200 });
  const message = check.longText('message', input.message);
  const priority = input.priority === undefined || input.priority === '' ? null : check.oneOf('priority', input.priority, PRIORITIES);
  const visibility = input.visibility === undefined || input.visibility === '' ? 'public' : check.oneOf('visibility', input.visibility, ['public', 'internal'] as const);
  const typeId = positiveInt(input.typeId) ?? await getNumberSetting(db, 'default_type_id');
  check.done();

  return db.transaction().execute(async (trx) => {
    const type = typeId === null ? undefined : await trx.selectFrom('ticket_types').selectAll()
      .where('id', '=', typeId).where('retired_at', 'is', null).executeTakeFirst();
    if (!type) throw new Invalid({ typeId: 'errors.choice' });

    let requester = await findUserByEmail(trx, requesterEmail);
    if (requester && requester.role !== 'customer') throw new Invalid({ requesterEmail: 'tickets.errors.requesterIsStaff' });
    const now = nowIso();
    const newcomer = !requester;
    if (!requester) {
      requester = await createCustomer(trx, { email: requesterEmail, name: requesterName || requesterEmail.split('@')[0]!, state: 'invited', now });
    }
    const statusId = type.initial_status_id ?? await defaultStatusId(trx, 'new');
    const status = statusId === undefined ? undefined : await trx.selectFrom('statuses').select('category').where('id', '=', statusId).executeTakeFirst();
    const brandId = await getNumberSetting(trx, 'default_brand_id');
    if (!status || brandId === null) throw new Error('the desk has no "new" status or no brand');

    const ticket = await trx.insertInto('tickets').values({
      subject, type_id: type.id, brand_id: brandId, status_id: statusId!,
      priority: priority ?? type.default_priority, visibility,
      requester_id: requester.id, organization_id: requester.organization_id, assignee_id: null,
      group_id: type.default_group_id, service_id: null, channel: 'agent', created_by_id: actor.id,
      created_at: now, updated_at: now, last_activity_at: now, last_replier_id: actor.id,
      first_response_at: null, ...statusStamps(status.category, { solved_at: null, closed_at: null }, now),
    }).returning('id').executeTakeFirstOrThrow();
    await trx.insertInto('messages').values({
      ticket_id: ticket.id, author_id: actor.id, kind: visibility === 'internal' || type.customer_facing === 0 ? 'note' : 'reply',
      body_text: message, body_html: renderMarkdown(message), via: 'web', email_message_id: null, match_reason: null, created_at: now,
    }).execute();
    await trx.insertInto('ticket_events').values({
      ticket_id: ticket.id, actor_id: actor.id, kind: 'created', from_value: null, to_value: subject, created_at: now,
    }).execute();
    await markSeen(trx, actor.id, ticket.id, now);
    if (newcomer && visibility === 'public' && type.customer_facing === 1) await inviteCustomer(trx, requester, mail);
    await dispatchTicket(trx, ticket.id, mail);
    return ticket.id;
  });
}
