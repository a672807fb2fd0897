import type { Db } from '../db/connect.js';
import { composeMail } from '../mail/compose.js';
import type { MailContext } from '../mail/context.js';
import { queueMail } from '../mail/outbox.js';

/** A ticket offered to a staff member (the fleet): a mail pointing at their Offers inbox. */
export async function mailOffer(trx: Db, mail: MailContext, ticketId: number, userId: number): Promise<void> {
  const ticket = await trx.selectFrom('tickets').select(['id', 'subject', 'brand_id']).where('id', '=', ticketId).executeTakeFirst();
  const person = await trx.selectFrom('users').select(['id', 'name', 'email', 'locale']).where('id', '=', userId).executeTakeFirst();
  const offer = await trx.selectFrom('ticket_members').select('offer_expires_at')
    .where('ticket_id', '=', ticketId).where('user_id', '=', userId).executeTakeFirst();
  if (!ticket || !person || !offer) return;
  await queueMail(trx, await composeMail(trx, mail, {
    to: person, brandId: ticket.brand_id, template: 'emails/offer',
    subject: (t) => t('offers.mail.subject', { id: ticket.id, subject: ticket.subject }),
    data: { ticket, person, expiresAt: offer.offer_expires_at, inbox: `${mail.baseUrl}/agent/offers`, link: `${mail.baseUrl}/agent/tickets/${ticket.id}` },
  }));
}
