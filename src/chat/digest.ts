import type { Trx } from '../db/connect.js';
import type { LiveHub } from '../live/hub.js';
import type { NotifyContext } from '../notify/context.js';
import { customersTakePart, findTicketForMail } from '../notify/queries.js';
import { sendTicketMail } from '../notify/send.js';
import { can, rolesOn } from '../policy/can.js';
import { chatMark, markChatMailed, staffChatRowsAfter } from './queries.js';

export interface DigestJob {
  ticketId: number;
  /** The staff line that booked this run. */
  messageId: number;
}

/**
 * A quiet period after a staff chat line: if the requester has not read the lines since (on the page,
 * or live on their open stream) and is not watching now, one mail tells them all the unread lines.
 * A later staff line books its own run, so only the run of the last line of a burst sends.
 * The mail threads like any ticket mail: answering it lands as a reply on the ticket.
 */
export async function runChatDigest(trx: Trx, ctx: NotifyContext, live: LiveHub, job: DigestJob): Promise<void> {
  const later = await trx.selectFrom('messages').innerJoin('users', 'users.id', 'messages.author_id').select('messages.id')
    .where('messages.ticket_id', '=', job.ticketId).where('messages.kind', '=', 'chat').where('messages.id', '>', job.messageId)
    .where('users.role', 'in', rolesOn('staff')).limit(1).executeTakeFirst();
  if (later) return;
  const ticket = await findTicketForMail(trx, job.ticketId);
  if (!ticket || !customersTakePart(ticket) || !can({ id: ticket.requester_id, role: ticket.requester_role, state: ticket.requester_state }, 'portal.use')) return;
  if (live.customerWatching(ticket.id, ticket.requester_id)) return;
  const mark = await chatMark(trx, ticket.id, ticket.requester_id);
  const lines = await staffChatRowsAfter(trx, ticket.id, Math.max(mark.read_through_id, mark.mailed_through_id));
  if (lines.length === 0) return;
  const last = lines[lines.length - 1]!;
  await sendTicketMail(trx, ctx, {
    ticket, kind: 'chat_digest', automatic: false, template: 'emails/chat-digest', messageRef: last.id,
    to: { id: ticket.requester_id, name: ticket.requester_name, email: ticket.requester_email, locale: ticket.requester_locale },
    subject: (t) => t('chat.digest.subject', { id: ticket.id, subject: ticket.subject, count: lines.length }),
    data: { ticket, lines, link: `${ctx.mail.baseUrl}/portal/tickets/${ticket.id}` },
  });
  await markChatMailed(trx, ticket.id, ticket.requester_id, last.id);
}
