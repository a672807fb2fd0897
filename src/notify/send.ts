import { randomBytes } from 'node:crypto';
import { changeTicket } from '../kernel/index.js';
import type { Db, Trx } from '../db/connect.js';
import { takeWriterLock } from '../db/writer-lock.js';
import type { Translate } from '../i18n.js';
import { nowIso } from '../lib/time.js';
import { composeMail } from '../mail/compose.js';
import { renderMarkdown } from '../messages/markdown.js';
import { queueMail, type MailAttachment } from '../mail/outbox.js';
import { messageIdFor, replyAddress, type ThreadingConfig } from '../mail/threading.js';
import { getNumberSetting, getSetting } from '../settings/settings.js';
import type { NotifyContext } from './context.js';
import { logMail, recentAutomatic, threadOf } from './log.js';

export interface Recipient {
  /** The person's user id, when they have an account (their own mails then join the thread). */
  id: number | null;
  name: string;
  email: string;
  locale: string;
}

export interface TicketMail {
  ticket: { id: number; brand_id: number };
  to: Recipient;
  /** What the mail is about (`received`, `reply`, ...): kept in mail_log and named when capped. */
  kind: string;
  /** Nobody wrote it by hand: marked Auto-Submitted, and counted against the hourly caps. */
  automatic: boolean;
  template: string;
  subject: (t: Translate) => string;
  data: Record<string, unknown>;
  messageRef?: number | null;
  attachments?: MailAttachment[];
}

const HOUR_MS = 3600_000;
export const CAP_DEFAULTS = { perAddress: 10, perTicket: 20 };

export async function threadingConfig(db: Db, ctx: NotifyContext): Promise<ThreadingConfig> {
  const localPart = (await getSetting(db, 'mail.reply_local_part')) || 'support';
  return { secretKey: ctx.secretKey, mailDomain: ctx.mailDomain, localPart };
}

/**
 * One ticket mail to one person, queued in the caller's transaction. Each recipient gets their own
 * copy: their own Reply-To token, and In-Reply-To/References chaining the thread as they have it.
 * Returns false when a cap held an automatic mail back (recorded on the ticket's history).
 */
export async function sendTicketMail(trx: Trx, ctx: NotifyContext, spec: TicketMail): Promise<boolean> {
  const now = nowIso();
  // Composed first, the caps counted after: in the notifications consumer's transaction (which
  // takes the writer lock late) the reading and rendering then hold up no other writer.
  const threading = await threadingConfig(trx, ctx);
  const references = await threadOf(trx, spec.ticket.id, spec.to);
  const messageId = messageIdFor(threading, spec.ticket.id, `${Date.now().toString(36)}.${randomBytes(6).toString('hex')}`);
  const composed = await composeMail(trx, ctx.mail, {
    to: spec.to, brandId: spec.ticket.brand_id, template: spec.template, subject: spec.subject, data: spec.data,
  });
  const footer = await brandFooter(trx, spec.ticket.brand_id);
  if (footer) {
    composed.text = `${composed.text.replace(/\s+$/, '')}\n\n${footer}\n`;
    if (composed.html) composed.html = `${composed.html}\n<div class="brand-footer" style="color:#888;font-size:small">${renderMarkdown(footer)}</div>`;
  }
  if (spec.automatic) {
    const caps = await capsOf(trx);
    // Count-then-insert: no other writer may log a mail between the count and this one.
    await takeWriterLock(trx);
    if (!(await withinCaps(trx, spec, caps, now))) return false;
  }
  await queueMail(trx, {
    ...composed,
    messageId,
    headers: {
      'Reply-To': replyAddress(threading, spec.ticket.id, spec.to.email),
      // Ours on every ticket mail: the inbound side answers nothing that comes back carrying it.
      'X-Loop': ctx.mailDomain,
      // A person's reply is not automatic, and saying `Auto-Submitted: no` would only be noise.
      ...(spec.automatic ? { 'Auto-Submitted': 'auto-generated' } : {}),
      ...(references.length > 0 ? { 'In-Reply-To': references[references.length - 1]!, References: references.join(' ') } : {}),
    },
    ...(spec.attachments?.length ? { attachments: spec.attachments } : {}),
  });
  await logMail(trx, {
    ticketId: spec.ticket.id, messageRef: spec.messageRef ?? null, kind: spec.kind, recipient: spec.to.email,
    messageId, automatic: spec.automatic, now,
  });
  return true;
}

/**
 * The brand's footer (Markdown, `/admin/brands`): at the bottom of every ticket mail of that brand,
 * as its source in the text part and rendered (raw HTML shown as text) in the HTML part.
 */
async function brandFooter(trx: Trx, brandId: number): Promise<string> {
  const brand = await trx.selectFrom('brands').select('mail_footer').where('id', '=', brandId).executeTakeFirst();
  return brand?.mail_footer.trim() ?? '';
}

/** The hourly caps (read before the writer lock: a setting changed meanwhile counts from the next mail). */
async function capsOf(db: Db): Promise<typeof CAP_DEFAULTS> {
  return {
    perAddress: (await getNumberSetting(db, 'mail.cap_per_address_hour')) ?? CAP_DEFAULTS.perAddress,
    perTicket: (await getNumberSetting(db, 'mail.cap_per_ticket_hour')) ?? CAP_DEFAULTS.perTicket,
  };
}

/**
 * Storms (an auto-responder answering our auto-responder, a script reopening a ticket in a loop)
 * stop at the caps: so many automatic mails per address and per ticket in an hour.
 */
async function withinCaps(trx: Trx, spec: TicketMail, { perAddress, perTicket }: typeof CAP_DEFAULTS, now: string): Promise<boolean> {
  const since = new Date(Date.parse(now) - HOUR_MS).toISOString();
  const recent = await recentAutomatic(trx, spec.ticket.id, spec.to.email, since);
  if (recent.toAddress < perAddress && recent.onTicket < perTicket) return true;
  await changeTicket(trx, null, spec.ticket.id, { history: [{ kind: 'mail_capped', from: spec.kind, to: spec.to.email }], at: now });
  return false;
}
