import type { Db } from '../db/connect.js';
import { formatAddress, type MailContext } from '../mail/context.js';
import { queueMail } from '../mail/outbox.js';

/**
 * Seed 004: the requester gets a confirmation with the ticket number and a link to follow it.
 * (Threading headers and the notification catalogue come with the email channel.)
 */
export async function mailTicketReceived(trx: Db, ticketId: number, mail: MailContext): Promise<void> {
  const ticket = await trx.selectFrom('tickets').innerJoin('users', 'users.id', 'tickets.requester_id')
    .innerJoin('brands', 'brands.id', 'tickets.brand_id')
    .select(['tickets.id', 'tickets.subject', 'users.name', 'users.email', 'users.locale', 'brands.from_name', 'brands.from_address', 'brands.portal_title'])
    .where('tickets.id', '=', ticketId).executeTakeFirstOrThrow();
  const t = mail.translator(ticket.locale);
  const data = { t, ticket, link: `${mail.baseUrl}/portal/tickets/${ticket.id}` };
  await queueMail(trx, {
    from: formatAddress({ name: ticket.from_name, address: ticket.from_address }),
    to: [ticket.email],
    subject: t('mail.received.subject', { id: ticket.id, subject: ticket.subject.replace(/[\r\n]+/g, ' ') }),
    text: await mail.render('emails/received-text', data),
    html: await mail.render('emails/received-html', data),
    headers: { 'Auto-Submitted': 'auto-generated' },
  });
}
