import { ticketFromMessageId } from '../mail/threading.js';
import type { InboundMail } from './parse.js';

/** Addresses only machines write from: bounces, postmasters, no-reply senders. */
const ROBOT_SENDER = /^(mailer-daemon|mailerdaemon|mail-daemon|postmaster|post_master|post-master|mail\.delivery\.system|mail-delivery-system|mailer|bounces?|no[-_.]?reply|do[-_.]?not[-_.]?reply|donotreply|no[-_.]?answer|auto[-_.]?reply|autoresponder)([-+._][^@]*)?@/i;

/** Subjects of auto-replies, receipts and delivery reports in the common languages (start of the subject). */
const AUTO_SUBJECT = new RegExp('^\\s*(' + [
  'auto(matic|matische|matisk|matiskt|matyczna|maattinen|matick[aá])?[ -]?(reply|response|antwort|svar|odpowied[źz]|vastaus|odpov[eě][dď])',
  'auto-?r[ée]ponse', 'r[ée]ponse automatique', 'respuesta autom[áa]tica', 'risposta automatica', 'resposta autom[áa]tica',
  'automatisch antwoord', 'autoodpowied[źz]', 'автоответ', 'автоматический ответ', 'otomatik yan[ıi]t', '自動応答', '自动回复', '不在',
  'out of (the )?office', 'abwesenheitsnotiz', 'absence du bureau', 'fuera de la oficina', 'fuori (sede|ufficio)', 'afwezig',
  'poza biurem', 'нет на месте', 'fora do escrit[óo]rio', 'fr[åa]nvaro', 'frav[æa]r', 'mimo kancel[áa][řr]',
  'undeliver(able|ed)', 'unzustellbar', 'non remis', 'no se puede entregar', 'non recapitabile', 'onbestelbaar', 'niedostarczalne',
  'не доставлено', 'delivery status notification', 'mail delivery (failed|failure|subsystem)', 'returned mail', 'failure notice',
  'delivery failure', 'read:', 'gelesen:', 'lu\\s?:', 'le[íi]do:', 'letto:', 'gelezen:', 'прочитано:', 'przeczytane:',
].join('|') + ')', 'i');

export type ReportType = 'delivery-status' | 'feedback-report' | 'disposition-notification' | 'other';

/** The kind of a multipart/report (RFC 6522): a bounce, a complaint (ARF) or a read receipt; null for any other mail. */
export function reportType(mail: InboundMail): ReportType | null {
  const type = mail.contentType.toLowerCase();
  if (!type.startsWith('multipart/report')) return null;
  if (type.includes('delivery-status')) return 'delivery-status';
  if (type.includes('feedback-report')) return 'feedback-report';
  if (type.includes('disposition-notification')) return 'disposition-notification';
  return 'other';
}

/**
 * Mail that a machine sent (RFC 3834, RFC 6522, ARF and the old conventions). It may be stored, but
 * it is never answered automatically: answering robots is how mail loops and storms begin. Mailing
 * list headers count only from strangers: a known customer may write through a list.
 */
export function isAutomatic(mail: InboundMail, mailDomain: string, knownSender = false): boolean {
  const h = mail.headers;
  const auto = (h.get('auto-submitted') ?? 'no').trim().toLowerCase();
  if (!auto.startsWith('no')) return true;
  if (/^(bulk|junk|list|auto_reply)$/i.test((h.get('precedence') ?? '').trim())) return true;
  if (h.has('x-auto-response-suppress') || h.has('x-autoreply') || h.has('x-autorespond') || h.has('x-autoresponse') || h.has('x-auto-reply')) return true;
  if (h.has('x-failed-recipients')) return true;
  // mailparser gathers the List-* headers into one `list` header.
  if (!knownSender && (h.has('list') || h.has('list-id') || h.has('list-unsubscribe') || h.has('list-post'))) return true;
  if (isOurLoop(mail, mailDomain)) return true;
  const returnPathHeader = (h.get('return-path') ?? '').replace(/[<>"\s]/g, '');
  if (mail.returnPath === '' || /^mailer-daemon(@|$)/i.test(mail.returnPath ?? '') || /^mailer-daemon(@|$)/i.test(returnPathHeader)) return true;
  if (!mail.from || reportType(mail) !== null) return true;
  if (AUTO_SUBJECT.test(mail.subject)) return true;
  return ROBOT_SENDER.test(mail.from.address) || isBounce(mail);
}

/** An X-Loop header naming us: this mail already went round once. */
export function isOurLoop(mail: InboundMail, mailDomain: string): boolean {
  const loop = (mail.headers.get('x-loop') ?? '').toLowerCase();
  return loop !== '' && (loop.includes(mailDomain.toLowerCase()) || loop.includes('deskbell'));
}

/** A delivery status notification: recorded on the ticket it is about, never answered. */
export function isBounce(mail: InboundMail): boolean {
  if (reportType(mail) === 'delivery-status') return true;
  const bounceSubject = /undeliver|unzustellbar|delivery (status|failure)|mail delivery failed|returned mail|failure notice|non remis/i.test(mail.subject);
  if (mail.headers.has('x-failed-recipients')) return true;
  return (!mail.from || mail.returnPath === '' || ROBOT_SENDER.test(mail.from.address)) && bounceSubject;
}

export interface BounceReport {
  ticketId: number | null;
  recipient: string;
  status: string;
}

const ADDRESS = /<?([^\s<>;,"]+@[^\s<>;,"]+)>?/;
/** A status in an MTA's own words: "550 5.1.1", "451-4.2.2", qmail's "(#5.1.1)", else a reply code ("554: delivery error"). */
const ENHANCED_STATUS = /\b[245]\d\d[ -]([245]\.\d{1,3}\.\d{1,3})\b|\(#([245]\.\d{1,3}\.\d{1,3})\)/;
const REPLY_CODE = /(?:^|[\s:])([245][0-5]\d)(?=:? [A-Za-z<])/m;

/**
 * Which of our mails bounced (its Message-ID is in the returned headers), to whom, and why. The
 * delivery-status part says it when there is one; a plain-text bounce (Exim, qmail, Yahoo, Domino,
 * Mimecast) is read for X-Failed-Recipients, qmail's "<address>:" line, the To of our returned mail,
 * and the SMTP status in the text.
 */
export function readBounce(mail: InboundMail, raw: Buffer, mailDomain: string): BounceReport {
  const text = raw.toString('latin1').replace(/\r\n/g, '\n');
  let ticketId: number | null = null;
  // Where our returned mail is: an ID of ours in the body, not in the report's own References.
  const bodyStart = text.indexOf('\n\n');
  let returned = -1;
  for (const match of text.matchAll(/<ticket-\d{1,12}\.[^@>\s]+@[^>\s]+>/g)) {
    const id = ticketFromMessageId({ mailDomain }, match[0]);
    if (id === null) continue;
    ticketId ??= id;
    if (match.index > bodyStart) { ticketId = id; returned = match.index; break; }
  }
  for (const id of [...mail.inReplyTo, ...mail.references]) ticketId ??= ticketFromMessageId({ mailDomain }, id);
  const recipient = /^(?:Final|Original)-Recipient:\s*(?:rfc822;)?\s*<?([^\s<>;]+@[^\s<>;]+)>?/im.exec(text)?.[1]
    ?? ADDRESS.exec(mail.headers.get('x-failed-recipients') ?? '')?.[1]
    ?? /^<([^\s<>]+@[^\s<>]+)>:\s*$/m.exec(text)?.[1]
    ?? (returned >= 0 ? returnedTo(text, returned) : '');
  const notice = returned >= 0 ? text.slice(0, returned) : text;
  const enhanced = ENHANCED_STATUS.exec(notice);
  const status = /^Status:\s*([245]\.\d{1,3}\.\d{1,3})/im.exec(text)?.[1] ?? enhanced?.[1] ?? enhanced?.[2] ?? REPLY_CODE.exec(notice)?.[1] ?? '';
  const diagnostic = /^Diagnostic-Code:\s*[^;\n]*;\s*(.+)$/im.exec(text)?.[1]?.trim() ?? '';
  return { ticketId, recipient: recipient.toLowerCase(), status: [status, diagnostic].filter(Boolean).join(' ').slice(0, 300) };
}

/** The To of the returned mail: the header block around our Message-ID (up to the blank lines that bound it). */
function returnedTo(text: string, at: number): string {
  const start = text.lastIndexOf('\n\n', at);
  const end = text.indexOf('\n\n', at);
  const block = text.slice(start < 0 ? 0 : start, end < 0 ? text.length : end);
  return ADDRESS.exec(/^To:[^\n]{0,300}/im.exec(block)?.[0].slice(3) ?? '')?.[1] ?? '';
}

/**
 * Who complained in an abuse report (ARF, RFC 5965): its Original-Rcpt-To, else the To of the
 * returned mail (ours, so that is the person we wrote to). Lower case; '' when the provider removed it.
 */
export function complainant(raw: Buffer): string {
  const text = raw.toString('utf8');
  const rcpt = /^Original-Rcpt-To:\s*(?:rfc822;)?\s*<?([^\s<>;]+@[^\s<>;]+)>?/im.exec(text)?.[1];
  if (rcpt) return rcpt.toLowerCase();
  const returned = text.search(/^Content-Type:\s*(message\/rfc822|text\/rfc822-headers)/im);
  if (returned < 0) return '';
  const to = /^To:[^\n]{0,300}?<?([^\s<>,;"]+@[^\s<>,;"]+)>?/im.exec(text.slice(returned))?.[1];
  return to?.toLowerCase() ?? '';
}
