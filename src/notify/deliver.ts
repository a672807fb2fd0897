import type { Trx } from '../db/connect.js';
import { attachmentHref } from '../attachments/names.js';
import { storagePath } from '../attachments/store.js';
import { can, sideOf } from '../policy/can.js';
import type { NotifyContext } from './context.js';
import type { NotifyEvent } from './notify.js';
import { customerRecipients, customersTakePart, findTicketForMail, messageFiles, staffWhoWant, type TicketForMail } from './queries.js';
import { ratingToken } from './rating-links.js';
import { sendTicketMail } from './send.js';

/** Together the files of a reply travel in the mail up to this size; past it the mail links them. */
export const ATTACH_LIMIT_BYTES = 10 * 1024 * 1024;

/** The worker's side of notify.ts: the mails an event calls for, written in one transaction. */
export async function deliverNotification(trx: Trx, ctx: NotifyContext, event: NotifyEvent): Promise<void> {
  if (event.kind === 'message') await mailMessage(trx, ctx, event.messageId);
  else if (event.kind === 'solved') await mailSolved(trx, ctx, event.ticketId);
}

export async function mailMessage(trx: Trx, ctx: NotifyContext, messageId: number) {
  const message = await trx.selectFrom('messages').leftJoin('users', 'users.id', 'messages.author_id')
    .select(['messages.id', 'messages.ticket_id', 'messages.kind', 'messages.body_text', 'messages.body_html', 'messages.author_id',
      'users.name as author_name', 'users.role as author_role'])
    .where('messages.id', '=', messageId).executeTakeFirst();
  const ticket = message && await findTicketForMail(trx, message.ticket_id);
  if (!message || !ticket || (message.kind !== 'reply' && message.kind !== 'update')) return;
  const author = { id: message.author_id, name: message.author_name ?? '' };
  if (message.author_role !== null && sideOf({ role: message.author_role }) === 'staff') {
    await mailCustomers(trx, ctx, ticket, { ...message, author });
  } else if (message.kind === 'reply') {
    await mailStaffOfCustomerReply(trx, ctx, ticket, { ...message, author });
  }
}

type MailedMessage = { id: number; kind: string; body_text: string; body_html: string; author: { id: number | null; name: string } };

/** A public reply or update by staff, to the requester and the CCs, with its files. */
async function mailCustomers(trx: Trx, ctx: NotifyContext, ticket: TicketForMail, message: MailedMessage) {
  if (!customersTakePart(ticket)) return;
  const files = await messageFiles(trx, message.id);
  const total = files.reduce((sum, f) => sum + f.size, 0);
  const attach = files.length > 0 && total <= ATTACH_LIMIT_BYTES;
  const attachments = attach
    ? files.map((f) => ({ filename: f.filename, contentType: f.content_type, path: storagePath(ctx.uploadsDir, f.storage_key) }))
    : undefined;
  const links = files.map((f) => ({ filename: f.filename, size: f.size, href: `${ctx.mail.baseUrl}${attachmentHref(f.id, f.filename)}` }));
  const kind = message.kind === 'update' ? 'update' : 'reply';
  for (const person of await customerRecipients(trx, ticket)) {
    if (person.id === message.author.id) continue;
    await sendTicketMail(trx, ctx, {
      ticket, to: person, kind, automatic: false, template: 'emails/reply', messageRef: message.id, attachments,
      subject: (t) => t(`mail.${kind}.subject`, { id: ticket.id, subject: ticket.subject }),
      data: { ticket, person, message, kind, files: links, attached: attach, link: `${ctx.mail.baseUrl}/portal/tickets/${ticket.id}` },
    });
  }
}

/** A customer answered: their ticket's assignee hears of it, or with nobody assigned, its group. */
async function mailStaffOfCustomerReply(trx: Trx, ctx: NotifyContext, ticket: TicketForMail, message: MailedMessage) {
  const people = ticket.assignee_id !== null ? await staffWhoWant(trx, 'customer_reply', { userId: ticket.assignee_id })
    : ticket.group_id !== null ? await staffWhoWant(trx, 'customer_reply', { groupId: ticket.group_id })
      : [];
  const files = await messageFiles(trx, message.id);
  const links = files.map((f) => ({ filename: f.filename, size: f.size, href: `${ctx.mail.baseUrl}${attachmentHref(f.id, f.filename)}` }));
  for (const person of people) {
    await sendTicketMail(trx, ctx, {
      ticket, to: person, kind: 'customer_reply', automatic: true, template: 'emails/customer-reply', messageRef: message.id,
      subject: (t) => t('mail.customerReply.subject', { id: ticket.id, subject: ticket.subject, name: message.author.name }),
      data: { ticket, person, message, files: links, link: `${ctx.mail.baseUrl}/agent/tickets/${ticket.id}` },
    });
  }
}

/** Solved by staff: the requester is told, with Good / Bad links that lead to a page to confirm. */
export async function mailSolved(trx: Trx, ctx: NotifyContext, ticketId: number) {
  const ticket = await findTicketForMail(trx, ticketId);
  // Reopened (or closed) before the worker got here: the news is stale.
  if (!ticket || ticket.status_category !== 'solved' || !customersTakePart(ticket)) return;
  if (!can({ id: ticket.requester_id, role: ticket.requester_role, state: ticket.requester_state }, 'portal.use')) return;
  const link = (score: 'good' | 'bad') =>
    `${ctx.mail.baseUrl}/rate/${ratingToken(ctx.secretKey, { ticketId: ticket.id, userId: ticket.requester_id, score })}`;
  await sendTicketMail(trx, ctx, {
    ticket, kind: 'solved', automatic: true, template: 'emails/solved',
    to: { id: ticket.requester_id, name: ticket.requester_name, email: ticket.requester_email, locale: ticket.requester_locale },
    subject: (t) => t('mail.solved.subject', { id: ticket.id, subject: ticket.subject }),
    data: { ticket, good: link('good'), bad: link('bad'), link: `${ctx.mail.baseUrl}/portal/tickets/${ticket.id}` },
  });
}
