import type { Db } from '../db/connect.js';
import { composeMail } from '../mail/compose.js';
import type { MailContext } from '../mail/context.js';
import { queueMail } from '../mail/outbox.js';
import { recentRefusals } from './files.js';
import { personName } from './tickets.js';
import type { InboundMail } from './parse.js';

export type Refusal = 'closed' | 'newCustomer';

const REFUSALS_PER_HOUR = 3;

/**
 * A polite answer to a mail we do not take (a reply to a closed ticket when follow-ups are off; a
 * stranger when only known customers may write). It threads under their mail, says it was sent
 * automatically, and is only ever sent to people, never in answer to a robot (the caller checks).
 */
export async function mailRefusal(db: Db, mail: MailContext, inbound: InboundMail, reason: Refusal, brandId: number | null, ticketId: number | null, locale = 'en'): Promise<void> {
  const to = inbound.from!;
  if (await recentRefusals(db, to.address) >= REFUSALS_PER_HOUR) return;
  const outgoing = await composeMail(db, mail, {
    to: { email: to.address, locale }, brandId, template: 'mailin/refused',
    subject: (t) => t('mailin.refused.subject', { subject: inbound.subject.replace(/^(re:\s*)+/i, '') || t('mailin.noSubject') }),
    data: { reason, name: personName(to), ticketId, link: ticketId ? `${mail.baseUrl}/portal/tickets/${ticketId}` : `${mail.baseUrl}/portal` },
  });
  const references = [...inbound.references, inbound.messageId].slice(-10).join(' ');
  outgoing.headers = { ...outgoing.headers, 'Auto-Submitted': 'auto-replied', 'In-Reply-To': inbound.messageId, References: references };
  await queueMail(db, outgoing);
}
