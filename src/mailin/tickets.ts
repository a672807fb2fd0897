import type { Db, Trx } from '../db/connect.js';
import type { User } from '../db/schema.js';
import { dispatchTicket } from '../fleet/dispatch.js';
import { sideOf } from '../policy/can.js';
import { getNumberSetting } from '../settings/settings.js';
import { startingStatus } from '../tickets/queries.js';
import { changeTicket, createTicket } from '../kernel/index.js';
import { toActor } from '../users/actor.js';
import { createCustomer } from '../users/customers.js';
import { findUserByEmail } from '../users/queries.js';
import type { Destination } from './addresses.js';
import type { MessageBody } from './content.js';
import type { MatchReason } from './match.js';
import { MAX_MAIL_CCS } from './trust.js';

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
  within: (trx: Trx, ticketId: number, messageId: number) => Promise<void>;
}

/**
 * A mail that answers no ticket opens one: in the brand and group of the address it was sent to,
 * the desk's default type, the sender as requester. Ticket, message, files, history and the
 * confirmation mail are one transaction.
 */
export async function openTicketFromMail(db: Db, input: MailTicket): Promise<number> {
  const typeId = await getNumberSetting(db, 'default_type_id');
  return db.transaction().execute(async (trx) => {
    const type = await trx.selectFrom('ticket_types').select(['id', 'initial_status_id', 'default_priority', 'default_group_id'])
      .where('id', '=', typeId ?? -1).executeTakeFirstOrThrow();
    const status = await startingStatus(trx, type.initial_status_id);
    if (!status) throw new Error('the desk has no "new" status');
    const requester = input.requester;
    const { ticketId, messageId } = await createTicket(trx, toActor(requester), {
      channel: 'mail', subject: input.subject, typeId: type.id, brandId: input.destination.brandId, statusId: status.id, statusCategory: status.category,
      priority: type.default_priority, visibility: 'public', requester: { id: requester.id, organizationId: requester.organization_id },
      groupId: input.destination.groupId ?? type.default_group_id,
      // An automatic mail (an out-of-office) gets no confirmation: it must not be answered.
      announce: { requester: input.confirm, group: true },
      message: {
        kind: 'reply', bodyText: input.body.text, bodyHtml: input.body.html, via: 'email', emailMessageId: input.emailMessageId,
        matchReason: input.reason, quotedText: input.body.quoted, uploadIds: input.uploadIds,
      },
    });
    await input.within(trx, ticketId, messageId);
    await dispatchTicket(trx, ticketId);
    return ticketId;
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
 * ticket become its CCs (unknown addresses as invited customers, when new customers are allowed),
 * up to MAX_MAIL_CCS a mail, and never past `ceiling` CCs on the ticket when it is set (the sender
 * was not verified). Returns who was left out for that ceiling, and how many were never looked at.
 */
export async function addMailCcs(trx: Trx, ticketId: number, people: { address: string; name: string }[], actorId: number, own: Set<string>, allowNew: boolean, ceiling: number | null): Promise<{ refused: string[]; unread: number }> {
  const ticket = await trx.selectFrom('tickets').select('requester_id').where('id', '=', ticketId).executeTakeFirstOrThrow();
  const copied = new Set((await trx.selectFrom('ticket_ccs').select('user_id').where('ticket_id', '=', ticketId).execute()).map((r) => r.user_id));
  let room = ceiling === null ? MAX_MAIL_CCS : Math.max(0, ceiling - copied.size);
  const refused: string[] = [];
  const added: { id: number; email: string }[] = [];
  const read = people.slice(0, MAX_MAIL_CCS);
  for (const person of read) {
    if (own.has(person.address)) continue;
    let user = await findUserByEmail(trx, person.address);
    if (user && (sideOf(user) !== 'customer' || user.id === ticket.requester_id || copied.has(user.id))) continue;
    if (!user && !allowNew) continue;
    if (room === 0) { refused.push(person.address); continue; }
    user ??= await createCustomer(trx, { email: person.address, name: personName(person), state: 'invited' });
    room--;
    copied.add(user.id);
    added.push(user);
  }
  // One change for the mail: a history line per person copied in, one event.
  if (added.length > 0) {
    await changeTicket(trx, { id: actorId }, ticketId, {
      ccs: { add: added.map((u) => u.id) }, history: added.map((u) => ({ kind: 'ccs', from: null, to: u.email })),
    });
  }
  return { refused, unread: ceiling === null ? 0 : people.length - read.length };
}
