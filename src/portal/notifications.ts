import type { Db } from '../db/connect.js';
import { composeMail } from '../mail/compose.js';
import type { MailContext } from '../mail/context.js';
import { queueMail } from '../mail/outbox.js';

/**
 * Seed 004: the requester gets a confirmation with the ticket number and a link to follow it.
 * (Threading headers and the notification catalogue come with the email channel.)
 */
export async function mailTicketReceived(trx: Db, ticketId: number, mail: MailContext): Promise<void> {
  const ticket = await trx.selectFrom('tickets').innerJoin('users', 'users.id', 'tickets.requester_id')
    .select(['tickets.id', 'tickets.subject', 'tickets.brand_id', 'users.name', 'users.email', 'users.locale'])
    .where('tickets.id', '=', ticketId).executeTakeFirstOrThrow();
  await queueMail(trx, await composeMail(trx, mail, {
    to: ticket, brandId: ticket.brand_id, template: 'emails/received',
    subject: (t) => t('mail.received.subject', { id: ticket.id, subject: ticket.subject }),
    data: { ticket, link: `${mail.baseUrl}/portal/tickets/${ticket.id}` },
  }));
}
