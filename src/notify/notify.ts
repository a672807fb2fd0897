import type { Db } from '../db/connect.js';
import type { StatusCategory } from '../db/schema.js';
import { enqueueJob } from '../jobs/queries.js';
import type { MailContext } from '../mail/context.js';
import { isStaff, type Actor } from '../users/actor.js';
import { notifyContext, type NotifyContext } from './context.js';
import { customersTakePart, findTicketForMail, staffWhoWant, type TicketForMail } from './queries.js';
import { sendTicketMail } from './send.js';

/**
 * The notifications, called by the verbs inside their transactions (one line each). Verbs that hold
 * a MailContext send at once; the others record an event in the jobs table, in the same transaction,
 * and the worker writes the mails moments later (deliver.ts). Either way nothing is mailed for a
 * change that was rolled back.
 */
export const NOTIFY_JOB = 'notify';

export type NotifyEvent =
  | { kind: 'message'; messageId: number }
  | { kind: 'solved'; ticketId: number; actorId: number };

/** A message was written: public replies and updates go to the customers, customers' replies to staff. */
export async function notifyNewMessage(trx: Db, message: { id: number; kind: string }): Promise<void> {
  // Internal notes never leave the desk; chat reaches a customer as a digest, not line by line.
  if (message.kind !== 'reply' && message.kind !== 'update') return;
  await enqueueJob(trx, NOTIFY_JOB, { kind: 'message', messageId: message.id } satisfies NotifyEvent, { maxAttempts: 5 });
}

/** A status change: when staff solve a ticket, the requester is asked for a rating. */
export async function notifyStatusChange(trx: Db, actor: Actor, ticketId: number, category: StatusCategory): Promise<void> {
  if (category !== 'solved' || !isStaff(actor)) return;
  await enqueueJob(trx, NOTIFY_JOB, { kind: 'solved', ticketId, actorId: actor.id } satisfies NotifyEvent, { maxAttempts: 5 });
}

/**
 * A new ticket: the requester gets a confirmation with its number, and members of its group who asked
 * for it hear of it. `quiet` leaves the requester out (their mail was itself automatic: an
 * out-of-office must not be answered).
 */
export async function notifyTicketCreated(trx: Db, mail: MailContext, ticketId: number, options: { quiet?: boolean } = {}): Promise<void> {
  const ctx = notifyContext(mail);
  const ticket = await findTicketForMail(trx, ticketId);
  if (!ticket) return;
  if (customersTakePart(ticket) && !options.quiet && ticket.requester_state !== 'disabled') {
    await sendTicketMail(trx, ctx, {
      ticket, kind: 'received', automatic: true, template: 'emails/received',
      to: { id: ticket.requester_id, name: ticket.requester_name, email: ticket.requester_email, locale: ticket.requester_locale },
      subject: (t) => t('mail.received.subject', { id: ticket.id, subject: ticket.subject }),
      data: { ticket, link: `${mail.baseUrl}/portal/tickets/${ticket.id}` },
    });
  }
  if (ticket.group_id !== null) await mailGroupOfNewTicket(trx, ctx, ticket, ticket.group_id);
}

async function mailGroupOfNewTicket(trx: Db, ctx: NotifyContext, ticket: TicketForMail, groupId: number) {
  const first = await trx.selectFrom('messages').select(['id', 'body_text', 'body_html'])
    .where('ticket_id', '=', ticket.id).orderBy('id').limit(1).executeTakeFirst();
  for (const person of await staffWhoWant(trx, 'new_ticket', { groupId })) {
    if (person.id === ticket.requester_id) continue;
    await sendTicketMail(trx, ctx, {
      ticket, to: person, kind: 'new_ticket', automatic: true, template: 'emails/new-ticket', messageRef: first?.id ?? null,
      subject: (t) => t('mail.newTicket.subject', { id: ticket.id, subject: ticket.subject, group: ticket.group_name ?? '' }),
      data: { ticket, person, message: first ?? null, link: `${ctx.mail.baseUrl}/agent/tickets/${ticket.id}` },
    });
  }
}

/** Someone gave a ticket to a staff member (not to themselves), who has not switched these mails off. */
export async function notifyAssigned(trx: Db, mail: MailContext, actor: { id: number | null; name: string }, ticketId: number, assigneeId: number): Promise<void> {
  if (assigneeId === actor.id) return;
  const ctx = notifyContext(mail);
  const ticket = await findTicketForMail(trx, ticketId);
  const [assignee] = await staffWhoWant(trx, 'assigned', { userId: assigneeId });
  if (!ticket || !assignee) return;
  await sendTicketMail(trx, ctx, {
    ticket, to: assignee, kind: 'assigned', automatic: true, template: 'emails/assigned',
    subject: (t) => t('mail.assigned.subject', { id: ticket.id, subject: ticket.subject }),
    data: { ticket, assignee, actor, link: `${mail.baseUrl}/agent/tickets/${ticket.id}` },
  });
}
