import type { Trx } from '../db/connect.js';
import type { MailContext } from '../mail/context.js';
import { notifyContext } from './context.js';
import { findTicketForMail, staffWhoWant } from './queries.js';
import { sendTicketMail } from './send.js';

/** A snoozed ticket came back (its time, or its customer wrote): its snoozer hears of it when they opted in. */
export async function mailSnoozeReturned(trx: Trx, mail: MailContext, ticketId: number, userId: number, reason: string): Promise<void> {
  const ctx = notifyContext(mail);
  const ticket = await findTicketForMail(trx, ticketId);
  const [person] = await staffWhoWant(trx, 'snooze_returned', { userId });
  if (!ticket || !person) return;
  await sendTicketMail(trx, ctx, {
    ticket, to: person, kind: 'snooze_returned', automatic: true, template: 'emails/snooze-returned',
    subject: (t) => t('mail.snoozeReturned.subject', { id: ticket.id, subject: ticket.subject }),
    data: { ticket, person, customer: reason === 'customer', link: `${mail.baseUrl}/agent/tickets/${ticket.id}` },
  });
}
