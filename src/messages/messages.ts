import type { Db } from '../db/connect.js';
import type { MessageKind } from '../db/schema.js';
import { Invalid, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { Checker, positiveInt } from '../lib/validate.js';
import { findVisibleTicket, markSeen } from '../tickets/queries.js';
import { applyStatus } from '../tickets/status.js';
import { isStaff, type Actor } from '../users/actor.js';
import { renderMarkdown } from './markdown.js';
import { attachUploads } from '../attachments/uploads.js';
import { notifyNewMessage } from '../notify/notify.js';
import { checkNotStale } from './stale.js';

/** What an agent can write on a ticket: a public reply, a public service-record update, an internal note. */
export const AGENT_MESSAGE_KINDS = ['reply', 'update', 'note'] as const satisfies readonly MessageKind[];
export type AgentMessageKind = (typeof AGENT_MESSAGE_KINDS)[number];

export interface PostMessageInput {
  kind?: unknown;
  body?: unknown;
  /** "Submit as ...": an optional status to move the ticket to with the message. */
  statusId?: unknown;
  /** The actor's pending uploads to attach (from readMultipartForm). */
  uploadIds?: number[];
  /**
   * The newest public message id the form was opened with (stale.ts): when others wrote since, the
   * verb refuses with StaleReply. Absent (mail, API): no check.
   */
  seenMessageId?: unknown;
  /** Set when the message did not come from a form (the mail channel). */
  origin?: MessageOrigin;
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
  within?: (trx: Db, messageId: number) => Promise<void>;
}

/**
 * An agent writes on a ticket. The message, the optional status change and the ticket's activity
 * stamps are written in one transaction: either all of it happens or none.
 */
export async function postAgentMessage(db: Db, actor: Actor, ticketId: number, input: PostMessageInput): Promise<{ id: number; kind: AgentMessageKind }> {
  if (!isStaff(actor)) throw new NotFound();
  const check = new Checker();
  const kind = check.oneOf('kind', input.kind, AGENT_MESSAGE_KINDS);
  const body = check.longText('body', input.body);
  const seenId = input.seenMessageId === undefined || input.seenMessageId === '' ? null : Number(input.seenMessageId);
  if (seenId !== null && !(Number.isSafeInteger(seenId) && seenId >= 0)) check.add('body', 'errors.invalid');
  const statusId = input.statusId === undefined || input.statusId === '' ? null : positiveInt(input.statusId);
  if (input.statusId && statusId === null) check.add('statusId', 'errors.choice');
  check.done();

  return db.transaction().execute(async (trx) => {
    const ticket = await findVisibleTicket(trx, actor, ticketId);
    if (!ticket) throw new NotFound();
    // Seed 000: only some types' comments reach the requester; on the others they stay among staff.
    if (kind === 'reply' && ticket.customer_facing === 0) throw new Invalid({ kind: 'compose.errors.notCustomerFacing' }, 'compose.errors.notCustomerFacing');
    if (seenId !== null) await checkNotStale(trx, ticket.id, seenId, actor.id);
    const now = nowIso();
    const message = await trx.insertInto('messages').values({
      ticket_id: ticket.id, author_id: actor.id, kind, body_text: body, body_html: input.origin?.bodyHtml ?? renderMarkdown(body),
      via: input.origin?.via ?? 'web', email_message_id: input.origin?.emailMessageId ?? null,
      match_reason: input.origin?.matchReason ?? null, created_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    if (input.uploadIds?.length) await attachUploads(trx, actor, message.id, input.uploadIds);
    await notifyNewMessage(trx, { id: message.id, kind });
    await input.origin?.within?.(trx, message.id);
    const publicReply = kind === 'reply';
    await trx.updateTable('tickets').set({
      updated_at: now,
      last_activity_at: now,
      ...(kind !== 'note' ? { last_replier_id: actor.id } : {}),
      ...(publicReply && ticket.first_response_at === null ? { first_response_at: now } : {}),
    }).where('id', '=', ticket.id).execute();
    if (statusId !== null) await applyStatus(trx, actor, ticket, statusId, now);
    await markSeen(trx, actor.id, ticket.id, now);
    return { id: message.id, kind };
  });
}
