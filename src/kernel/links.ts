import type { Trx } from '../db/connect.js';
import type { Priority, StatusCategory } from '../db/schema.js';
import { recordEvent } from '../events/record.js';
import type { LinkKind } from '../links/schema.js';
import { nowIso } from '../lib/time.js';
import { statusStamps } from '../tickets/status.js';
import type { Actor } from '../users/actor.js';
import { changeTicket, type TicketColumns } from './change.js';
import { insertTicketRow, NO_ANNOUNCE } from './create.js';
import { writeHistory } from './history.js';
import { addMessage } from './messages.js';

/** A link as written: "ticket <kind> other" (links/schema.ts). */
export interface NewLink {
  ticketId: number;
  otherId: number;
  kind: LinkKind;
}

/** The history line each side of a link gets: [the ticket's, the other's]. */
export const LINK_SIDES: Record<LinkKind, readonly [string, string]> = {
  merged: ['merged_into', 'merged_from'],
  split: ['split_from', 'split_into'],
  related: ['related', 'related'],
  duplicate: ['duplicate_of', 'has_duplicate'],
  parent: ['parent_of', 'child_of'],
};

async function insertLink(trx: Trx, actorId: number | null, link: NewLink, now: string): Promise<number> {
  const row = await trx.insertInto('ticket_links').values({
    ticket_id: link.ticketId, other_id: link.otherId, kind: link.kind, created_by_id: actorId, created_at: now,
  }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** One history line on each ticket of a link: "Parent of #12" on one, "Child of #11" on the other. */
async function linkHistory(trx: Trx, actorId: number | null, link: NewLink, added: boolean, now: string): Promise<void> {
  const [mine, theirs] = LINK_SIDES[link.kind];
  const line = (kind: string, id: number) => (added ? { kind, from: null, to: `#${id}` } : { kind, from: `#${id}`, to: null });
  await writeHistory(trx, link.ticketId, actorId, [line(mine, link.otherId)], now);
  await writeHistory(trx, link.otherId, actorId, [line(theirs, link.ticketId)], now);
}

/**
 * Link two tickets (related, duplicate of, parent of): the link row, a history line on each ticket,
 * one `ticket.linked` event on the first, `{ linkId, otherId, kind }`. The rules (who may, which
 * pairs make sense) are the caller's. Returns the link's id.
 */
export async function linkTickets(trx: Trx, actor: Actor, link: NewLink): Promise<number> {
  const now = nowIso();
  const linkId = await insertLink(trx, actor.id, link, now);
  await linkHistory(trx, actor.id, link, true, now);
  await recordEvent(trx, { kind: 'ticket.linked', ticketId: link.ticketId, actorId: actor.id, at: now, payload: { linkId, otherId: link.otherId, kind: link.kind } });
  return linkId;
}

/** Take a link away: the row, a history line on each ticket, one `ticket.unlinked` event `{ otherId, kind }`. */
export async function unlinkTickets(trx: Trx, actor: Actor, link: NewLink & { id: number }): Promise<void> {
  const now = nowIso();
  await trx.deleteFrom('ticket_links').where('id', '=', link.id).execute();
  await linkHistory(trx, actor.id, link, false, now);
  await recordEvent(trx, { kind: 'ticket.unlinked', ticketId: link.ticketId, actorId: actor.id, at: now, payload: { otherId: link.otherId, kind: link.kind } });
}

export interface MergeInput {
  /** The ticket that goes: its conversation moves, it is closed. */
  mergedId: number;
  /** The ticket that stays. */
  survivorId: number;
  /** People to copy in on the survivor (the merged ticket's requester and CCs who are not yet on it). */
  ccs: number[];
  /** The closed status the merged ticket moves to, and what it had (for the history line and stamps). */
  closed: { id: number; name: string; category: StatusCategory };
  current: { statusName: string; solved_at: string | null; closed_at: string | null };
  /** The public update left on the merged ticket for its requester ("Merged into #N"). */
  note: string;
}

/**
 * Merge one ticket into another. Every message of the merged ticket (replies, updates, chat lines and
 * internal notes, each keeping its kind, its time and its files) moves to the survivor, where the
 * conversation reads in time order; its mail Message-IDs go with them. The survivor gets the CCs
 * (one `ticket.changed` with `ccs`) and a `merged_from` history line; the merged ticket is closed
 * with a `merged_into` line, keeps its history and gets one public update (`note`, a
 * `message.added`, so its requester reads it and is mailed it). A `merged` link says where it went
 * (mail and the portal follow it), and one `ticket.merged` event on the merged ticket carries
 * `{ survivorId, messageIds }`. Checks (who may see both, brands, internal tickets) are the caller's.
 */
export async function mergeTickets(trx: Trx, actor: Actor, input: MergeInput): Promise<number[]> {
  const now = nowIso();
  const { mergedId, survivorId } = input;
  const moved = await trx.updateTable('messages').set({ ticket_id: survivorId }).where('ticket_id', '=', mergedId).returning('id').execute();
  const messageIds = moved.map((m) => m.id).sort((a, b) => a - b);
  await insertLink(trx, actor.id, { ticketId: mergedId, otherId: survivorId, kind: 'merged' }, now);
  await changeTicket(trx, actor, survivorId, {
    ccs: { add: input.ccs }, history: [{ kind: 'merged_from', from: null, to: `#${mergedId}` }], activity: true, at: now,
  });
  const set: TicketColumns = { status_id: input.closed.id, ...statusStamps(input.closed.category, input.current, now) };
  await changeTicket(trx, actor, mergedId, {
    set, at: now,
    history: [
      ...(input.current.statusName === input.closed.name ? [] : [{ kind: 'status', from: input.current.statusName, to: input.closed.name }]),
      { kind: 'merged_into', from: null, to: `#${survivorId}` },
    ],
  });
  await addMessage(trx, actor, mergedId, { kind: 'update', bodyText: input.note });
  await recordEvent(trx, { kind: 'ticket.merged', ticketId: mergedId, actorId: actor.id, at: now, payload: { survivorId, messageIds } });
  return messageIds;
}

export interface SplitInput {
  /** The ticket the message leaves. */
  fromId: number;
  messageId: number;
  /** The new ticket's row: the caller copies what it keeps of the original (requester, brand, type...). */
  ticket: {
    subject: string; typeId: number; brandId: number; statusId: number; statusCategory: StatusCategory; priority: Priority;
    visibility: 'public' | 'internal'; requesterId: number; organizationId: number | null; groupId: number | null;
  };
}

/**
 * Split a message off into a new ticket: the ticket row, the message (with its files and mail
 * Message-ID, keeping its kind and time) moved to it, a `split` link, a `created` and a `split_from`
 * history line on the new ticket and a `split_into` line on the original, one `ticket.created` event
 * (announcing nothing) on the new ticket and one `ticket.split` event `{ ticketId, messageId }` on the
 * original. Returns the new ticket's id. Checks are the caller's.
 */
export async function splitTicket(trx: Trx, actor: Actor, input: SplitInput): Promise<number> {
  const now = nowIso();
  const t = input.ticket;
  const ticketId = await insertTicketRow(trx, {
    subject: t.subject, typeId: t.typeId, brandId: t.brandId, statusId: t.statusId, statusCategory: t.statusCategory,
    priority: t.priority, visibility: t.visibility, requesterId: t.requesterId, organizationId: t.organizationId,
    groupId: t.groupId, serviceId: null, channel: 'agent', createdById: actor.id, lastReplierId: null,
  }, now);
  await trx.updateTable('messages').set({ ticket_id: ticketId }).where('id', '=', input.messageId).where('ticket_id', '=', input.fromId).execute();
  await insertLink(trx, actor.id, { ticketId, otherId: input.fromId, kind: 'split' }, now);
  await writeHistory(trx, ticketId, actor.id, [{ kind: 'created', from: null, to: t.subject }, { kind: 'split_from', from: null, to: `#${input.fromId}` }], now);
  await writeHistory(trx, input.fromId, actor.id, [{ kind: 'split_into', from: null, to: `#${ticketId}` }], now);
  await trx.updateTable('tickets').set({ updated_at: now }).where('id', '=', input.fromId).execute();
  await recordEvent(trx, {
    kind: 'ticket.created', ticketId, actorId: actor.id, at: now,
    payload: { channel: 'agent', messageId: input.messageId, statusId: t.statusId, requesterId: t.requesterId, announce: NO_ANNOUNCE, splitFrom: input.fromId },
  });
  await recordEvent(trx, { kind: 'ticket.split', ticketId: input.fromId, actorId: actor.id, at: now, payload: { ticketId, messageId: input.messageId } });
  return ticketId;
}
