import type { Db, Trx } from '../db/connect.js';
import type { MessageKind } from '../db/schema.js';
import { Invalid, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { findVisibleTicket, markSeen } from '../tickets/queries.js';
import { applyStatus } from '../tickets/status.js';
import type { Actor } from '../users/actor.js';
import { addMessage } from '../kernel/index.js';
import { can } from '../policy/can.js';
import type { AgentMessageInput } from './schemas.js';
import { checkNotStale } from './stale.js';
import { signatureBlock } from '../signatures/signatures.js';

/** What an agent can write on a ticket: a public reply, a public service-record update, an internal note. */
export const AGENT_MESSAGE_KINDS = ['reply', 'update', 'note'] as const satisfies readonly MessageKind[];
export type AgentMessageKind = (typeof AGENT_MESSAGE_KINDS)[number];

/** The form's typed values (schemas.ts); a status and the "seen" marker may be left out. */
export interface PostMessageInput extends Pick<AgentMessageInput, 'kind' | 'body'> {
  /** "Submit as ...": an optional status to move the ticket to with the message. */
  statusId?: number | null;
  /** The actor's pending uploads to attach (from readMultipartForm). */
  uploadIds?: number[];
  /**
   * The newest public message id the form was opened with (stale.ts): when others wrote since, the
   * verb refuses with StaleReply. Absent (mail, API): no check.
   */
  seenMessageId?: number | null;
  /** Set when the message did not come from a form (the mail channel). */
  origin?: MessageOrigin;
  /** The API's messages say so (`via: 'api'`); a form's are `web`, mail's come with their origin. */
  via?: 'api';
  /**
   * More changes that come with the message (a macro's actions), in its transaction: after the
   * message, before the "Send and set status" choice.
   */
  also?: (trx: Trx, ticketId: number) => Promise<void>;
}

/**
 * A message that arrived by mail: its sanitised HTML, Message-ID and why it was matched to the
 * ticket are stored with it, and `within` runs inside the verb's transaction (the original .eml, the
 * record that makes a second delivery a no-op).
 */
export interface MessageOrigin {
  via: 'email';
  bodyHtml: string;
  emailMessageId: string;
  matchReason: string;
  /** The mail's whole text when the stored text was cut from it ("show quoted text"). */
  quotedText?: string | null;
  within?: (trx: Trx, messageId: number) => Promise<void>;
}

/**
 * An agent writes on a ticket. The message, the optional status change and the ticket's activity
 * stamps are written in one transaction: either all of it happens or none.
 */
export async function postAgentMessage(db: Db, actor: Actor, ticketId: number, input: PostMessageInput): Promise<{ id: number; kind: AgentMessageKind }> {
  if (!can(actor, 'ticket.write')) throw new NotFound();
  const { kind, body } = input;
  const seenId = input.seenMessageId ?? null;
  const statusId = input.statusId ?? null;

  const written = await db.transaction().execute(async (trx) => {
    const ticket = await findVisibleTicket(trx, actor, ticketId);
    if (!ticket) throw new NotFound();
    // Seed 000: only some types' comments reach the requester; on the others they stay among staff.
    if (kind === 'reply' && ticket.customer_facing === 0) throw new Invalid({ kind: 'compose.errors.notCustomerFacing' }, 'compose.errors.notCustomerFacing');
    if (seenId !== null) await checkNotStale(trx, ticket.id, seenId, actor.id);
    const now = nowIso();
    // A public message carries the author's signature for the ticket's brand, stored with it (the
    // thread shows what was sent; a later edit of the signature rewrites no message). Notes do not.
    const signature = kind === 'note' ? null : await signatureBlock(trx, actor, ticket);
    const bodyHtml = input.origin?.bodyHtml;
    const messageId = await addMessage(trx, actor, ticket.id, {
      kind, bodyText: body + (signature?.text ?? ''), bodyHtml: bodyHtml === undefined ? undefined : bodyHtml + (signature?.html ?? ''), via: input.origin?.via ?? input.via, emailMessageId: input.origin?.emailMessageId,
      matchReason: input.origin?.matchReason, quotedText: input.origin?.quotedText, uploadIds: input.uploadIds, firstResponse: kind === 'reply',
    });
    const message = { id: messageId };
    await input.origin?.within?.(trx, message.id);
    if (input.also) await input.also(trx, ticket.id);
    if (statusId !== null) await applyStatus(trx, actor, input.also ? (await findVisibleTicket(trx, actor, ticket.id))! : ticket, statusId, now);
    return { id: message.id, kind, ticketId: ticket.id, now };
  });
  // The writer's own mark, after the commit: not part of the change, and one round trip less
  // inside the writer lock. Stamped with the message's time, so a later write by someone else
  // still shows as unread.
  await markSeen(db, actor.id, written.ticketId, written.now);
  return { id: written.id, kind: written.kind };
}
