import { issueInvitation } from '../auth/auth.js';
import type { Db } from '../db/connect.js';
import { composeMail } from '../mail/compose.js';
import type { MailContext } from '../mail/context.js';
import { queueMail } from '../mail/outbox.js';

/** A "Create password" mail (seed 003): the link works once and for 7 days. */
export async function inviteCustomer(db: Db, person: { id: number; name: string; email: string; locale: string }, mail: MailContext): Promise<void> {
  const token = await issueInvitation(db, person.id);
  await queueMail(db, await composeMail(db, mail, {
    to: person, template: 'emails/invitation',
    subject: (t, brand) => t('mail.invitation.subject', { portal: brand.portal_title }),
    data: { person, link: `${mail.baseUrl}/welcome?token=${token}` },
  }));
}
