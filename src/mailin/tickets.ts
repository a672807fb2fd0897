import type { Db } from '../db/connect.js';
import type { User } from '../db/schema.js';
import { attachUploads } from '../attachments/uploads.js';
import { dispatchTicket } from '../fleet/dispatch.js';
import { nowIso } from '../lib/time.js';
import type { MailContext } from '../mail/context.js';
import { notifyTicketCreated } from '../notify/notify.js';
import { getNumberSetting } from '../settings/settings.js';
import { defaultStatusId } from '../tickets/queries.js';
import { statusStamps } from '../tickets/status.js';
import { toActor } from '../users/actor.js';
import { createCustomer } from '../users/customers.js';
import { findUserByEmail } from '../users/queries.js';
import type { Destination } from './addresses.js';
import type { MessageBody } from './content.js';
import type { MatchReason } from './match.js';

export interface MailTicket {
  requester: User;
  subject: string;
  body: MessageBody;
  destination: Destination;
  emailMessageId: string;
  uploadIds: number[];
  /** Machines get no confirmation (no mail answers a robot); the group still hears of the ticket. */
  confirm: boolean;
  reason: MatchReason;
  /** Runs in the transaction with the new message's id (the original .eml, the inbound record). */
  within: (trx: Db, ticketId: number, messageId: number) => Promise<void>;
}

/**
 * A mail that answers no ticket opens one: in the brand and group of the address it was sent to,
 * the desk's default type, the sender as requester. Ticket, message, files, history and the
 * confirmation mail are one transaction.
 */
export async function openTicketFromMail(db: Db, mail: MailContext, input: MailTicket): Promise<number> {
  const typeId = await getNumberSetting(db, 'default_type_id');
  return db.transaction().execute(async (trx) => {
    const type = await trx.selectFrom('ticket_types').select(['id', 'initial_status_id', 'default_priority', 'default_group_id'])
      .where('id', '=', typeId ?? -1).executeTakeFirstOrThrow();
    const statusId = type.initial_status_id ?? await defaultStatusId(trx, 'new');
    const status = await trx.selectFrom('statuses').select('category').where('id', '=', statusId ?? -1).executeTakeFirst();
    if (!status) throw new Error('the desk has no "new" status');
    const now = nowIso();
    const requester = input.requester;
    const ticket = await trx.insertInto('tickets').values({
      subject: input.subject, type_id: type.id, brand_id: input.destination.brandId, status_id: statusId!, priority: type.default_priority,
      visibility: 'public', requester_id: requester.id, organization_id: requester.organization_id, assignee_id: null,
      group_id: input.destination.groupId ?? type.default_group_id, service_id: null, channel: 'email', created_by_id: requester.id,
      created_at: now, updated_at: now, last_activity_at: now, last_replier_id: requester.id, first_response_at: null,
      ...statusStamps(status.category, { solved_at: null, closed_at: null }, now),
    }).returning('id').executeTakeFirstOrThrow();
    const message = await trx.insertInto('messages').values({
      ticket_id: ticket.id, author_id: requester.id, kind: 'reply', body_text: input.body.text, body_html: input.body.html,
      via: 'email', email_message_id: input.emailMessageId, match_reason: input.reason, created_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    if (input.uploadIds.length > 0) await attachUploads(trx, toActor(requester), message.id, input.uploadIds);
    await trx.insertInto('ticket_events').values({
      ticket_id: ticket.id, actor_id: requester.id, kind: 'created', from_value: null, to_value: input.subject, created_at: now,
    }).execute();
    await input.within(trx, ticket.id, message.id);
    await notifyTicketCreated(trx, mail, ticket.id, { quiet: !input.confirm });
    await dispatchTicket(trx, ticket.id, mail);
    return ticket.id;
  });
}

/** The sender as a person of the desk: found, or (when allowed) a new customer, invited without a mail. */
export async function senderAsPerson(db: Db, from: { address: string; name: string }, allowNew: boolean): Promise<User | undefined> {
  const found = await findUserByEmail(db, from.address);
  if (found || !allowNew) return found;
  return createCustomer(db, { email: from.address, name: personName(from), state: 'invited' });
}

export function personName(from: { address: string; name: string }): string {
  return (from.name || from.address.split('@')[0]!).slice(0, 120);
}

/**
 * People in To and Cc of a customer's mail who are not us, not staff and not already on the
 * ticket become its CCs (unknown addresses as invited customers, when new customers are allowed).
 */
export async function addMailCcs(trx: Db, ticketId: number, people: { address: string; name: string }[], actorId: number, own: Set<string>, allowNew: boolean): Promise<void> {
  const ticket = await trx.selectFrom('tickets').select('requester_id').where('id', '=', ticketId).executeTakeFirstOrThrow();
  for (const person of people.slice(0, 20)) {
    if (own.has(person.address)) continue;
    let user = await findUserByEmail(trx, person.address);
    if (!user && allowNew) user = await createCustomer(trx, { email: person.address, name: personName(person), state: 'invited' });
    if (!user || user.role !== 'customer' || user.id === ticket.requester_id) continue;
    const already = await trx.selectFrom('ticket_ccs').select('user_id').where('ticket_id', '=', ticketId).where('user_id', '=', user.id).executeTakeFirst();
    if (already) continue;
    await trx.insertInto('ticket_ccs').values({ ticket_id: ticketId, user_id: user.id }).execute();
    await trx.insertInto('ticket_events').values({ ticket_id: ticketId, actor_id: actorId, kind: 'ccs', from_value: null, to_value: user.email, created_at: nowIso() }).execute();
  }
}
