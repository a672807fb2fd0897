import type { Db } from '../db/connect.js';
import { attachUploads } from '../attachments/uploads.js';
import { Conflict, Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { Checker } from '../lib/validate.js';
import { renderMarkdown } from '../messages/markdown.js';
import { notifyNewMessage } from '../notify/notify.js';
import type { MessageOrigin } from '../messages/messages.js';
import { getSetting } from '../settings/settings.js';
import { defaultStatusId, findVisibleTicket, markSeen } from '../tickets/queries.js';
import { applyStatus } from '../tickets/status.js';
import type { Actor } from '../users/actor.js';

type VisibleTicket = NonNullable<Awaited<ReturnType<typeof findVisibleTicket>>>;

const FINISHED = ['closed', 'cancelled'];

/** A customer's ticket, or NotFound: out of scope and missing look the same. */
export async function customerTicket(db: Db, actor: Actor, id: number): Promise<VisibleTicket> {
  if (actor.role !== 'customer') throw new Forbidden();
  const ticket = await findVisibleTicket(db, actor, id);
  if (!ticket) throw new NotFound();
  return ticket;
}

/** What happens when a customer writes on a closed ticket (setting `portal.closed_reply`). */
export async function closedReplyPolicy(db: Db): Promise<'refuse' | 'followup'> {
  return (await getSetting(db, 'portal.closed_reply')) === 'followup' ? 'followup' : 'refuse';
}

export class TicketClosed extends Conflict {
  constructor(readonly ticketId: number) { super('portal.reply.closed'); }
}

/**
 * A customer answers on their ticket. Seed 002: writing on a Resolved ticket reopens it ("you do not
 * agree with the solution"); an answer to a ticket waiting on the customer puts it back to open.
 * A closed ticket takes no more messages (see closedReplyPolicy for what happens instead).
 */
export async function postCustomerReply(db: Db, actor: Actor, ticketId: number, input: { body?: unknown }, uploadIds: number[], origin?: MessageOrigin): Promise<void> {
  const check = new Checker();
  const body = check.longText('body', input.body);
  check.done();
  await db.transaction().execute(async (trx) => {
    const ticket = await customerTicket(trx, actor, ticketId);
    if (FINISHED.includes(ticket.status_category)) throw new TicketClosed(ticket.id);
    if (ticket.customer_facing === 0) throw new Invalid({ body: 'portal.reply.notOpen' }, 'portal.reply.notOpen');
    const now = nowIso();
    const message = await trx.insertInto('messages').values({
      ticket_id: ticket.id, author_id: actor.id, kind: 'reply', body_text: body, body_html: origin?.bodyHtml ?? renderMarkdown(body),
      via: origin?.via ?? 'web', email_message_id: origin?.emailMessageId ?? null, match_reason: origin?.matchReason ?? null, created_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    if (uploadIds.length > 0) await attachUploads(trx, actor, message.id, uploadIds);
    await notifyNewMessage(trx, { id: message.id, kind: 'reply' });
    await origin?.within?.(trx, message.id);
    await trx.updateTable('tickets').set({ last_activity_at: now, updated_at: now, last_replier_id: actor.id }).where('id', '=', ticket.id).execute();
    if (ticket.status_category === 'solved' || ticket.status_category === 'pending') {
      const openId = await defaultStatusId(trx, 'open');
      if (openId !== undefined) await applyStatus(trx, actor, ticket, openId, now, ticket.status_category === 'solved' ? 'reopened' : 'status');
    }
    await markSeen(trx, actor.id, ticket.id, now);
  });
}

/** The customer says their problem is solved. */
export async function markSolvedByCustomer(db: Db, actor: Actor, ticketId: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const ticket = await customerTicket(trx, actor, ticketId);
    if (['solved', ...FINISHED].includes(ticket.status_category)) return;
    const solvedId = await defaultStatusId(trx, 'solved');
    if (solvedId !== undefined) await applyStatus(trx, actor, ticket, solvedId, nowIso());
  });
}

export const SCORES = ['good', 'bad'] as const;

/**
 * Seed 001: "Done, but the code user has not yet rated it". The requester rates a solved ticket
 * Good or Bad, with an optional comment, and may change their mind until it is closed. With the
 * setting `rating.closes_ticket`, a rating closes the ticket.
 */
export async function rateTicket(db: Db, actor: Actor, ticketId: number, input: { score?: unknown; comment?: unknown }): Promise<void> {
  const check = new Checker();
  const score = check.oneOf('score', input.score, SCORES);
  const comment = check.longText('comment', input.comment, { required: false, max: 2000 });
  check.done();
  await db.transaction().execute(async (trx) => {
    const ticket = await customerTicket(trx, actor, ticketId);
    if (ticket.requester_id !== actor.id) throw new Forbidden('portal.rating.onlyRequester');
    if (ticket.status_category !== 'solved') throw new Invalid({ score: 'portal.rating.notSolved' }, 'portal.rating.notSolved');
    const now = nowIso();
    const before = await trx.selectFrom('ratings').select('score').where('ticket_id', '=', ticket.id).where('user_id', '=', actor.id).executeTakeFirst();
    await trx.deleteFrom('ratings').where('ticket_id', '=', ticket.id).where('user_id', '=', actor.id).execute();
    await trx.insertInto('ratings').values({ ticket_id: ticket.id, user_id: actor.id, score, comment, created_at: now }).execute();
    await trx.insertInto('ticket_events').values({
      ticket_id: ticket.id, actor_id: actor.id, kind: 'rating', from_value: before?.score ?? null, to_value: score, created_at: now,
    }).execute();
    await trx.updateTable('tickets').set({ updated_at: now }).where('id', '=', ticket.id).execute();
    if ((await getSetting(trx, 'rating.closes_ticket')) === '1') {
      const closedId = await defaultStatusId(trx, 'closed');
      if (closedId !== undefined) await applyStatus(trx, actor, ticket, closedId, now);
    }
  });
}
