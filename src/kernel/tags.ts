import type { Trx } from '../db/connect.js';
import type { HistoryEntry } from './history.js';
import { membershipChange } from './membership.js';

/** Tags to put on a ticket and to take off it, by name (already normalised: tags/normalise.ts). */
export interface TagChange {
  add?: readonly string[];
  remove?: readonly string[];
}

/** The tags really put on and taken off: what a `ticket.changed` event carries as `tags`. */
export interface TagsChanged {
  added: string[];
  removed: string[];
}

/**
 * Write a ticket's tag rows, creating a tag the desk has not seen yet. A tag already on the ticket is
 * not added again and one not on it is not removed, so the result (and the history) says what changed.
 * Whether a new tag may be made (the managed list) is the caller's rule.
 */
export async function writeTags(trx: Trx, ticketId: number, change: TagChange): Promise<TagsChanged> {
  const current = await trx.selectFrom('ticket_tags').innerJoin('tags', 'tags.id', 'ticket_tags.tag_id')
    .select(['tags.id', 'tags.name']).where('ticket_tags.ticket_id', '=', ticketId).execute();
  const onTicket = new Map(current.map((r) => [r.name, r.id]));
  const { added, removed } = membershipChange(onTicket, change);
  if (removed.length > 0) {
    await trx.deleteFrom('ticket_tags').where('ticket_id', '=', ticketId).where('tag_id', 'in', removed.map((n) => onTicket.get(n)!)).execute();
  }
  if (added.length > 0) {
    await trx.insertInto('tags').values(added.map((name) => ({ name }))).onConflict((oc) => oc.column('name').doNothing()).execute();
    const ids = await trx.selectFrom('tags').select('id').where('name', 'in', added).execute();
    await trx.insertInto('ticket_tags').values(ids.map((r) => ({ ticket_id: ticketId, tag_id: r.id }))).execute();
  }
  return { added, removed };
}

/** One history line per tag put on or taken off. */
export function tagHistory(changed: TagsChanged): HistoryEntry[] {
  return [
    ...changed.added.map((name) => ({ kind: 'tag_added', from: null, to: name })),
    ...changed.removed.map((name) => ({ kind: 'tag_removed', from: name, to: null })),
  ];
}
