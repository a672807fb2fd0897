import { issueInvitation } from '../auth/auth.js';
import type { Db } from '../db/connect.js';
import { getNumberSetting } from '../settings/settings.js';
import { formatAddress, type MailContext } from '../mail/context.js';
import { queueMail } from '../mail/outbox.js';

/** A "Create password" mail (seed 003): the link works once and for 7 days. */
export async function inviteCustomer(db: Db, person: { id: number; name: string; email: string; locale: string }, mail: MailContext): Promise<void> {
  const token = await issueInvitation(db, person.id);
  const brandId = await getNumberSetting(db, 'default_brand_id');
  const brand = await db.selectFrom('brands').select(['from_name', 'from_address', 'portal_title'])
    .where('id', '=', brandId ?? -1).executeTakeFirstOrThrow();
  const t = mail.translator(person.locale);
  const data = { t, person, brand, link: `${mail.baseUrl}/welcome?token=${token}` };
  await queueMail(db, {
    from: formatAddress({ name: brand.from_name, address: brand.from_address }),
    to: [person.email],
    subject: t('mail.invitation.subject', { portal: brand.portal_title }),
    text: await mail.render('emails/invitation-text', data),
    html: await mail.render('emails/invitation-html', data),
    headers: { 'Auto-Submitted': 'auto-generated' },
  });
}
