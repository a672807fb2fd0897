import type { Trx } from '../db/connect.js';
import type { Announce } from '../kernel/index.js';
import type { MailContext } from '../mail/context.js';
import { notifyContext, type NotifyContext } from './context.js';
import { customersTakePart, findTicketForMail, staffWhoWant, type TicketForMail } from './queries.js';
import { sendTicketMail } from './send.js';

/**
 * What ticket events mail: the notifications consumer (consumer.ts) calls these in the transaction
 * that moves its position, so each event's mails are queued exactly once, after the change committed.
 */

/** Before the consumer, verbs queued these jobs; the worker still runs any left from then. */
export const NOTIFY_JOB = 'notify';

export type NotifyEvent =
  | { kind: 'message'; messageId: number }
  | { kind: 'solved'; ticketId: number; actorId: number };

/**
 * A new ticket: the requester gets a confirmation with its number, and members of its group who asked
 * for it hear of it, as the event's `announce` says (a mail that was itself automatic, an
 * out-of-office, is not confirmed; an agent's ticket is announced to nobody).
 */
export async function notifyTicketCreated(trx: Trx, mail: MailContext, ticketId: number, announce: Announce): Promise<void> {
  const ctx = notifyContext(mail);
  const ticket = await findTicketForMail(trx, ticketId);
  if (!ticket) return;
  if (announce.requester && customersTakePart(ticket) && ticket.requester_state !== 'disabled') {
    await sendTicketMail(trx, ctx, {
      ticket, kind: 'received', automatic: true, template: 'emails/received',
      to: { id: ticket.requester_id, name: ticket.requester_name, email: ticket.requester_email, locale: ticket.requester_locale },
      subject: (t) => t('mail.received.subject', { id: ticket.id, subject: ticket.subject }),
      data: { ticket, link: `${mail.baseUrl}/portal/tickets/${ticket.id}` },
    });
  }
  if (announce.group && ticket.group_id !== null) await mailGroupOfNewTicket(trx, ctx, ticket, ticket.group_id);
}

async function mailGroupOfNewTicket(trx: Trx, ctx: NotifyContext, ticket: TicketForMail, groupId: number) {
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
export async function notifyAssigned(trx: Trx, mail: MailContext, actor: { id: number | null; name: string }, ticketId: number, assigneeId: number): Promise<void> {
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
