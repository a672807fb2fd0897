import { addMessage } from '../kernel/index.js';
import { throttle, type Limit } from '../auth/throttle.js';
import type { Db } from '../db/connect.js';
import { enqueueJob } from '../jobs/queries.js';
import { Conflict, NotFound } from '../lib/errors.js';
import { isoIn } from '../lib/time.js';
import { getNumberSetting } from '../settings/settings.js';
import { findVisibleTicket } from '../tickets/queries.js';
import { sideOf } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { publicChatLine } from './lines.js';
import { countUnread, listChatRows, markChatRead, newestChatId } from './queries.js';
import type { ChatLineInput } from './schemas.js';

export const CHAT_DIGEST_JOB = 'chat_digest';
export const DIGEST_DEFAULT_MINUTES = 5;
/** A chat line is a short message, not a letter. */
export const CHAT_MAX_LENGTH = 4000;
/** Lines one person may send a minute: a fast typist sends a few; a script floods every open stream. */
export const CHAT_LINES_PER_MINUTE: Limit = { max: 30, windowMs: 60_000 };

type VisibleTicket = NonNullable<Awaited<ReturnType<typeof findVisibleTicket>>>;

/**
 * Whether a ticket has a messenger, and whether one may still write in it. Only public tickets of
 * customer-facing types have a requester to talk to; closed and cancelled tickets keep their chat
 * readable but take no new lines (seed 001: "Code users can no longer ... write messages"), and a
 * customer's unsent draft has nobody on the other side yet.
 */
export function chatState(ticket: Pick<VisibleTicket, 'visibility' | 'customer_facing' | 'status_category'>): 'none' | 'readonly' | 'open' {
  if (ticket.visibility !== 'public' || ticket.customer_facing !== 1 || ticket.status_category === 'draft') return 'none';
  return ticket.status_category === 'closed' || ticket.status_category === 'cancelled' ? 'readonly' : 'open';
}

export class ChatClosed extends Conflict {
  constructor() { super('chat.errors.closed'); }
}

/** The ticket, if this person may see it and it has a messenger; NotFound otherwise. */
export async function chatTicket(db: Db, actor: Actor, ticketId: number): Promise<VisibleTicket> {
  const ticket = await findVisibleTicket(db, actor, ticketId);
  if (!ticket || chatState(ticket) === 'none') throw new NotFound();
  return ticket;
}

/**
 * Someone writes a chat line. It is stored as a public `chat` message (never mailed line by line),
 * shown at once to everyone who has the ticket open (the live consumer, after the commit), and a line by staff books the customer's
 * digest mail after the quiet period (digest.ts decides then whether one is needed).
 */
export async function postChatLine(db: Db, actor: Actor, ticketId: number, { body }: ChatLineInput): Promise<number> {
  const id = await db.transaction().execute(async (trx) => {
    const ticket = await chatTicket(trx, actor, ticketId);
    if (chatState(ticket) !== 'open') throw new ChatClosed();
    // Counted in this transaction: a refused or rolled-back line is not counted.
    await throttle(trx, `chat:${actor.id}`, CHAT_LINES_PER_MINUTE, 'chat.errors.tooMany');
    const message = { id: await addMessage(trx, actor, ticket.id, { kind: 'chat', bodyText: body }) };
    await markChatRead(trx, ticket.id, actor.id, message.id);
    if (sideOf(actor) === 'staff') {
      const minutes = (await getNumberSetting(trx, 'chat.digest_minutes')) ?? DIGEST_DEFAULT_MINUTES;
      await enqueueJob(trx, CHAT_DIGEST_JOB, { ticketId: ticket.id, messageId: message.id }, { runAt: isoIn(minutes * 60_000), maxAttempts: 5 });
    }
    return message.id;
  });
  // The live consumer shows it to the open pages once committed (live/consumer.ts).
  return id;
}

/**
 * The messenger as this person sees it: the lines, how many are new to them, whether they can write.
 * Call markMessengerRead once the page has been shown.
 */
export async function messengerFor(db: Db, actor: Actor, ticket: VisibleTicket) {
  const state = chatState(ticket);
  if (state === 'none') return null;
  return {
    state,
    lines: (await listChatRows(db, ticket.id)).map(publicChatLine),
    unread: await countUnread(db, ticket.id, actor.id),
  };
}

export async function markMessengerRead(db: Db, actor: Actor, ticketId: number): Promise<void> {
  const newest = await newestChatId(db, ticketId);
  if (newest > 0) await markChatRead(db, ticketId, actor.id, newest);
}
