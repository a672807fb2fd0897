import type { Db } from '../db/connect.js';
import { composeMail } from '../mail/compose.js';
import type { MailContext } from '../mail/context.js';
import { queueMail } from '../mail/outbox.js';

/**
 * Auto-close (src/tickets/autoclose.ts) tells the requester: a reminder while the ticket waits on
 * them, a note when it closed for want of an answer. Nothing for a disabled account.
 */
export async function mailRequesterNotice(trx: Db, mail: MailContext, ticketId: number, notice: 'reminder' | 'closed'): Promise<void> {
  const ticket = await trx.selectFrom('tickets').innerJoin('users', 'users.id', 'tickets.requester_id')
    .select(['tickets.id', 'tickets.subject', 'tickets.brand_id', 'users.name', 'users.email', 'users.locale', 'users.state'])
    .where('tickets.id', '=', ticketId).executeTakeFirst();
  if (!ticket || ticket.state === 'disabled') return;
  const requester = { name: ticket.name, email: ticket.email, locale: ticket.locale };
  const [template, subject] = notice === 'reminder'
    ? ['emails/reminder', 'mail.autoclose.reminder.subject'] : ['emails/reminder-closed', 'mail.autoclose.closed.subject'];
  await queueMail(trx, await composeMail(trx, mail, {
    to: requester, brandId: ticket.brand_id, template,
    subject: (t) => t(subject, { id: ticket.id, subject: ticket.subject }),
    data: { ticket: { id: ticket.id, subject: ticket.subject }, requester, link: `${mail.baseUrl}/portal/tickets/${ticket.id}` },
  }));
}
