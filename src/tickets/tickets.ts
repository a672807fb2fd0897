import type { Db } from '../db/connect.js';
import type { Priority } from '../db/schema.js';
import { Forbidden, Invalid } from '../lib/errors.js';
import { textToHtml } from '../lib/text.js';
import { nowIso } from '../lib/time.js';
import { Checker, positiveInt } from '../lib/validate.js';
import { getNumberSetting } from '../settings/settings.js';
import { isStaff, type Actor } from '../users/actor.js';
import { findUserByEmail } from '../users/queries.js';
import { defaultStatusId } from './queries.js';

export const PRIORITIES: readonly Priority[] = ['low', 'normal', 'high', 'urgent'];

export interface OpenTicketInput {
  requesterEmail?: unknown;
  requesterName?: unknown;
  subject?: unknown;
  message?: unknown;
  typeId?: unknown;
  priority?: unknown;
}

/**
 * An agent opens a ticket on behalf of a customer. An unknown requester address becomes a new
 * customer (without a password: they can be invited later). Ticket, first message and history
 * event are written in one transaction.
 */
export async function openTicketForCustomer(db: Db, actor: Actor, input: OpenTicketInput): Promise<number> {
  if (!isStaff(actor)) throw new Forbidden();
  const check = new Checker();
  const requesterEmail = check.email('requesterEmail', input.requesterEmail);
  const requesterName = check.text('requesterName', input.requesterName, { required: false, max: 120 });
  const subject = check.text('subject', input.subject, { max: 200 });
  const message = check.longText('message', input.message);
  const priority = input.priority === undefined || input.priority === '' ? 'normal' : check.oneOf('priority', input.priority, PRIORITIES);
  const typeId = positiveInt(input.typeId) ?? await getNumberSetting(db, 'default_type_id');
  check.done();

  return db.transaction().execute(async (trx) => {
    const type = typeId === null ? undefined : await trx.selectFrom('ticket_types').selectAll()
      .where('id', '=', typeId).where('retired_at', 'is', null).executeTakeFirst();
    if (!type) throw new Invalid({ typeId: 'errors.choice' });

    let requester = await findUserByEmail(trx, requesterEmail);
    if (requester && requester.role !== 'customer') throw new Invalid({ requesterEmail: 'tickets.errors.requesterIsStaff' });
    const now = nowIso();
    if (!requester) {
      requester = await trx.insertInto('users').values({
        email: requesterEmail, name: requesterName || requesterEmail.split('@')[0]!, role: 'customer',
        state: 'invited', password_hash: null, organization_id: null, created_at: now, updated_at: now,
      }).returningAll().executeTakeFirstOrThrow();
    }
    const statusId = type.initial_status_id ?? await defaultStatusId(trx, 'new');
    const brandId = await getNumberSetting(trx, 'default_brand_id');
    if (statusId === undefined || brandId === null) throw new Error('the desk has no "new" status or no brand');

    const ticket = await trx.insertInto('tickets').values({
      subject, type_id: type.id, brand_id: brandId, status_id: statusId,
      priority: priority ?? type.default_priority, visibility: 'public',
      requester_id: requester.id, organization_id: requester.organization_id, assignee_id: null,
      group_id: type.default_group_id, service_id: null, channel: 'agent', created_by_id: actor.id,
      created_at: now, updated_at: now, last_activity_at: now, last_replier_id: actor.id,
      first_response_at: null, solved_at: null, closed_at: null,
    }).returning('id').executeTakeFirstOrThrow();
    await trx.insertInto('messages').values({
      ticket_id: ticket.id, author_id: actor.id, kind: 'reply', body_text: message, body_html: textToHtml(message),
      via: 'web', email_message_id: null, match_reason: null, created_at: now,
    }).execute();
    await trx.insertInto('ticket_events').values({
      ticket_id: ticket.id, actor_id: actor.id, kind: 'created', from_value: null, to_value: subject, created_at: now,
    }).execute();
    return ticket.id;
  });
}
