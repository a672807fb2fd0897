import { ticketFromMessageId } from '../mail/threading.js';
import type { InboundMail } from './parse.js';

const ROBOT_SENDER = /^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@/i;

/**
 * Mail that a machine sent (RFC 3834 and the old conventions). It may be stored, but it is never
 * answered automatically: answering robots is how mail loops and storms begin.
 */
export function isAutomatic(mail: InboundMail, mailDomain: string): boolean {
  const h = mail.headers;
  const auto = (h.get('auto-submitted') ?? 'no').trim().toLowerCase();
  if (!auto.startsWith('no')) return true;
  if (/^(bulk|junk|list)$/i.test((h.get('precedence') ?? '').trim())) return true;
  if (h.has('list-id') || h.has('list-unsubscribe') || h.has('x-autoreply') || h.has('x-autorespond')) return true;
  if (isOurLoop(mail, mailDomain)) return true;
  if (mail.returnPath === '') return true;
  return ROBOT_SENDER.test(mail.from?.address ?? '') || isBounce(mail);
}

/** An X-Loop header naming us: this mail already went round once. */
export function isOurLoop(mail: InboundMail, mailDomain: string): boolean {
  const loop = (mail.headers.get('x-loop') ?? '').toLowerCase();
  return loop !== '' && (loop.includes(mailDomain.toLowerCase()) || loop.includes('deskbell'));
}

/** A delivery status notification: recorded on the ticket it is about, never answered. */
export function isBounce(mail: InboundMail): boolean {
  const type = mail.contentType.toLowerCase();
  if (type.startsWith('multipart/report') && type.includes('delivery-status')) return true;
  return ROBOT_SENDER.test(mail.from?.address ?? '') && /undeliver|delivery (status|failure)|returned mail|failure notice/i.test(mail.subject);
}

export interface BounceReport {
  ticketId: number | null;
  recipient: string;
  status: string;
}

/** Which of our mails bounced (its Message-ID is in the returned headers), to whom, and why. */
export function readBounce(mail: InboundMail, raw: Buffer, mailDomain: string): BounceReport {
  const text = raw.toString('latin1');
  let ticketId: number | null = null;
  for (const match of text.matchAll(/<ticket-\d{1,12}\.[^@>\s]+@[^>\s]+>/g)) {
    ticketId = ticketFromMessageId({ mailDomain }, match[0]);
    if (ticketId !== null) break;
  }
  for (const id of [...mail.inReplyTo, ...mail.references]) ticketId ??= ticketFromMessageId({ mailDomain }, id);
  const recipient = /^(?:Final|Original)-Recipient:\s*(?:rfc822;)?\s*<?([^\s<>;]+@[^\s<>;]+)>?/im.exec(text)?.[1] ?? '';
  const status = /^Status:\s*([245]\.\d{1,3}\.\d{1,3})/im.exec(text)?.[1] ?? '';
  const diagnostic = /^Diagnostic-Code:\s*[^;\n]*;\s*(.+)$/im.exec(text)?.[1]?.trim() ?? '';
  return { ticketId, recipient: recipient.toLowerCase(), status: [status, diagnostic].filter(Boolean).join(' ').slice(0, 300) };
}
