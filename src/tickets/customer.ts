// What a customer does on their own ticket: answer, say it is solved, rate it. Domain verbs, not
// portal code: the portal, mail in (src/mailin/deliver.ts) and the rating link (src/notify/) all
// come here, so no channel reaches into another's folder.
import { addMessage, addRating } from '../kernel/index.js';
import type { Db } from '../db/connect.js';
import { Conflict, Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import type { MessageOrigin } from '../messages/messages.js';
import { can } from '../policy/can.js';
import { getSetting } from '../settings/settings.js';
import { defaultStatusId, findVisibleTicket, markSeen } from './queries.js';
import { applyStatus } from './status.js';
import type { Actor } from '../users/actor.js';
import type { CustomerReplyInput, RatingInput } from './schemas.js';

type VisibleTicket = NonNullable<Awaited<ReturnType<typeof findVisibleTicket>>>;

const FINISHED = ['closed', 'cancelled'];

/** A customer's ticket, or NotFound: out of scope and missing look the same. */
export async function customerTicket(db: Db, actor: Actor, id: number): Promise<VisibleTicket> {
  if (!can(actor, 'portal.use')) throw new Forbidden();
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
export async function postCustomerReply(db: Db, actor: Actor, ticketId: number, input: CustomerReplyInput, uploadIds: number[], origin?: MessageOrigin): Promise<void> {
  const { body } = input;
  await db.transaction().execute(async (trx) => {
    const ticket = await customerTicket(trx, actor, ticketId);
    if (FINISHED.includes(ticket.status_category)) throw new TicketClosed(ticket.id);
    if (ticket.customer_facing === 0) throw new Invalid({ body: 'portal.reply.notOpen' }, 'portal.reply.notOpen');
    const now = nowIso();
    const message = { id: await addMessage(trx, actor, ticket.id, {
      kind: 'reply', bodyText: body, bodyHtml: origin?.bodyHtml, via: origin?.via, emailMessageId: origin?.emailMessageId,
      matchReason: origin?.matchReason, quotedText: origin?.quotedText, uploadIds,
    }) };
    await origin?.within?.(trx, message.id);
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
export async function rateTicket(db: Db, actor: Actor, ticketId: number, input: RatingInput): Promise<void> {
  const { score, comment } = input;
  await db.transaction().execute(async (trx) => {
    const ticket = await customerTicket(trx, actor, ticketId);
    if (ticket.requester_id !== actor.id) throw new Forbidden('portal.rating.onlyRequester');
    if (ticket.status_category !== 'solved') throw new Invalid({ score: 'portal.rating.notSolved' }, 'portal.rating.notSolved');
    const now = nowIso();
    await addRating(trx, actor, ticket.id, { score, comment }, now);
    if ((await getSetting(trx, 'rating.closes_ticket')) === '1') {
      const closedId = await defaultStatusId(trx, 'closed');
      if (closedId !== undefined) await applyStatus(trx, actor, ticket, closedId, now);
    }
  });
}
