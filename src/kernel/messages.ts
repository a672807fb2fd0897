import { sql } from 'kysely';
import { attachUploads } from '../attachments/uploads.js';
import type { Trx } from '../db/connect.js';
import type { MessageKind } from '../db/schema.js';
import { recordEvent } from '../events/record.js';
import { nowIso } from '../lib/time.js';
import { renderMarkdown } from '../messages/markdown.js';
import type { Actor } from '../users/actor.js';
import { writeHistory, type HistoryEntry } from './history.js';
import { sideOf } from '../policy/can.js';
import { returnSnoozed } from './snooze.js';
import type { Channel } from './create.js';

/** What a message says and how it came. */
export interface MessageContent {
  bodyText: string;
  /** Sanitised HTML (mail, or text already turned into HTML); rendered from the Markdown text when absent. */
  bodyHtml?: string;
  via?: 'web' | 'email' | 'api';
  emailMessageId?: string | null;
  matchReason?: string | null;
  /** A mail's whole text, quoted history and all, when `bodyText` was cut from it (agents can expand it). */
  quotedText?: string | null;
  /** The actor's pending uploads to bind to the message (needs an actor). */
  uploadIds?: number[];
}

export interface AddMessageInput extends MessageContent {
  kind: MessageKind;
  /**
   * The ticket's activity stamps. `activity` (the default): `updated_at` and `last_activity_at`,
   * plus `last_replier_id` for a reply or an update; a chat line or a note is activity but no reply.
   * `none`: a record that is no activity on the ticket (a bounce, an auto-reply, a refused mail).
   */
  stamps?: 'activity' | 'none';
  /** Staff answering publicly for the first time: stamps `first_response_at` when it is still empty. */
  firstResponse?: boolean;
  /** History lines that belong to this message (e.g. a video call planned with it). */
  history?: HistoryEntry[];
  /** The channel, when consumers must know it: an `import` is history, not news (nobody is mailed). */
  channel?: Channel;
  /** When it was written: now, unless an import keeps the original time. */
  at?: string;
}

/** The message row and its files; no stamps, no event (createTicket and addMessage add those). */
export async function insertMessage(trx: Trx, actor: Actor | null, ticketId: number, input: MessageContent & { kind: MessageKind }, now: string): Promise<number> {
  const message = await trx.insertInto('messages').values({
    ticket_id: ticketId, author_id: actor?.id ?? null, kind: input.kind,
    body_text: input.bodyText, body_html: input.bodyHtml ?? renderMarkdown(input.bodyText),
    via: input.via ?? 'web', email_message_id: input.emailMessageId ?? null, match_reason: input.matchReason ?? null,
    quoted_text: input.quotedText ?? null, created_at: now,
  }).returning('id').executeTakeFirstOrThrow();
  if (input.uploadIds?.length) {
    if (!actor) throw new Error('files need an uploader');
    await attachUploads(trx, actor, message.id, input.uploadIds);
  }
  return message.id;
}

/**
 * Write a message on a ticket (by `actor`, or by Deskbell itself when null): the row, its files,
 * the ticket's activity stamps, its history lines and one `message.added` event, in the caller's
 * transaction. A customer's reply wakes a snoozed ticket (kernel/snooze.ts). Returns the message id.
 */
export async function addMessage(trx: Trx, actor: Actor | null, ticketId: number, input: AddMessageInput): Promise<number> {
  const now = input.at ?? nowIso();
  const id = await insertMessage(trx, actor, ticketId, input, now);
  if ((input.stamps ?? 'activity') === 'activity') {
    const replies = input.kind === 'reply' || input.kind === 'update';
    // One statement with the first response's stamp: each is a round trip inside the writer lock.
    await trx.updateTable('tickets').set({
      updated_at: now,
      last_activity_at: now,
      ...(replies && actor ? { last_replier_id: actor.id } : {}),
      ...(input.firstResponse ? { first_response_at: sql<string>`coalesce(first_response_at, ${now})` } : {}),
    }).where('id', '=', ticketId).execute();
  } else if (input.firstResponse) {
    await trx.updateTable('tickets').set({ first_response_at: now }).where('id', '=', ticketId).where('first_response_at', 'is', null).execute();
  }
  await writeHistory(trx, ticketId, actor?.id ?? null, input.history ?? [], now);
  await recordEvent(trx, {
    kind: 'message.added', ticketId, actorId: actor?.id ?? null, at: now,
    payload: { messageId: id, kind: input.kind, via: input.via ?? 'web', ...(input.channel ? { channel: input.channel } : {}) },
  });
  // The customer wrote (the portal, a mail): a snoozed ticket comes back at once, whatever the channel.
  if (actor && sideOf(actor) === 'customer' && input.kind === 'reply' && (input.stamps ?? 'activity') === 'activity') {
    await returnSnoozed(trx, actor, ticketId, 'customer', now);
  }
  return id;
}

/**
 * Rewrite a ticket's first message, and bind more of the actor's files to it: a customer's draft,
 * finished and sent. It records no event of its own: it is one part of sending the draft, whose
 * `changeTicket` (with `announce`) records the one `ticket.changed`, after which consumers read the
 * ticket as new. Returns the message's id.
 */
export async function rewriteFirstMessage(trx: Trx, actor: Actor, ticketId: number, content: { bodyText: string; uploadIds?: number[] }): Promise<number> {
  const first = await trx.selectFrom('messages').select('id').where('ticket_id', '=', ticketId).orderBy('id').limit(1).executeTakeFirstOrThrow();
  await trx.updateTable('messages').set({ body_text: content.bodyText, body_html: renderMarkdown(content.bodyText) }).where('id', '=', first.id).execute();
  if (content.uploadIds?.length) await attachUploads(trx, actor, first.id, content.uploadIds);
  return first.id;
}
