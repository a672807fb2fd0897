import { sql, type SqlBool } from 'kysely';
import type { Trx } from '../db/connect.js';
import { recordEvent } from '../events/record.js';
import { nowIso } from '../lib/time.js';
import { likePattern } from '../people/queries.js';
import type { Actor } from '../users/actor.js';

/**
 * Two records of one person become one (people/merge.ts does the rest of the person): on the
 * tickets' side everything that named the removed record names the kept one (requester, assignee,
 * author, history actor, CCs, fleet, read marks, ratings, files), and one `person.merged` event,
 * `{ keptId, removedId, ticketIds }`, lists the tickets whose people changed (the removed record
 * requested, was assigned, copied in or a fleet member). One event, not a `ticket.changed` per
 * ticket: for its readers no ticket changed (the same person, now under one record, and no history
 * line says otherwise), so nothing that reacts to a new requester must fire, and a customer with
 * thousands of tickets is one row of the stream. Returns the ticket ids.
 */
export async function mergePersonRecords(trx: Trx, actor: Actor, removedId: number, keptId: number): Promise<number[]> {
  const from = removedId;
  const to = keptId;
  const ticketIds = await ticketsOfPerson(trx, from);
  for (const column of ['requester_id', 'assignee_id', 'created_by_id', 'last_replier_id'] as const) {
    await trx.updateTable('tickets').set({ [column]: to }).where(column, '=', from).execute();
  }
  await trx.updateTable('messages').set({ author_id: to }).where('author_id', '=', from).execute();
  await trx.updateTable('ratings').set({ user_id: to }).where('user_id', '=', from).execute();
  await trx.updateTable('attachments').set({ uploader_id: to }).where('uploader_id', '=', from).execute();
  await trx.updateTable('ticket_events').set({ actor_id: to }).where('actor_id', '=', from).execute();
  // Rows keyed by (ticket, user): move those the kept record lacks; the rest go with the removed one.
  for (const table of ['ticket_ccs', 'ticket_members', 'ticket_seen'] as const) {
    await trx.updateTable(table).set({ user_id: to }).where('user_id', '=', from)
      .where('ticket_id', 'not in', trx.selectFrom(table).select('ticket_id').where('user_id', '=', to)).execute();
  }
  // A requester is never also CC'd on their own ticket.
  await trx.deleteFrom('ticket_ccs').where('user_id', '=', to)
    .where('ticket_id', 'in', trx.selectFrom('tickets').select('id').where('requester_id', '=', to)).execute();
  await recordEvent(trx, { kind: 'person.merged', ticketId: null, actorId: actor.id, at: nowIso(), payload: { keptId: to, removedId: from, ticketIds } });
  return ticketIds;
}

/** The tickets a person is on: requested, assigned, copied in or a member of the fleet; in id order. */
async function ticketsOfPerson(trx: Trx, userId: number): Promise<number[]> {
  const rows = await trx.selectFrom('tickets').select('id as ticket_id').where((eb) => eb.or([eb('requester_id', '=', userId), eb('assignee_id', '=', userId)]))
    .union(trx.selectFrom('ticket_ccs').select('ticket_id').where('user_id', '=', userId))
    .union(trx.selectFrom('ticket_members').select('ticket_id').where('user_id', '=', userId))
    .execute();
  return [...new Set(rows.map((r) => r.ticket_id))].sort((a, b) => a - b);
}

/** Who a person was, and what they are called once erased. */
export interface Erasure {
  person: { id: number; email: string; name: string };
  erased: { email: string; name: string };
}

/** A value as it reads after the erasure: their address and their name replaced, anything else kept. */
export function erasedValue({ person, erased }: Erasure): (value: string) => string {
  return (value) => value.toLowerCase() === person.email.toLowerCase() ? erased.email : value === person.name ? erased.name : value;
}

/**
 * An erased person (people/erase.ts does the rest of the person) leaves the tickets: taken off every
 * ticket they were copied in on, and their address and name replaced in the history lines that hold
 * their address, and in the event stream's copies of those lines (`ticket.changed` carries them), so
 * no trace of who they were stays with the tickets. Their messages stay as written. Records one
 * `person.erased` event, `{ userId, ticketIds }` (the tickets they were taken off), and returns the ids.
 */
export async function erasePersonFromTickets(trx: Trx, actor: Actor, erasure: Erasure): Promise<number[]> {
  const { person } = erasure;
  const copied = await trx.selectFrom('ticket_ccs').select('ticket_id').where('user_id', '=', person.id).orderBy('ticket_id').execute();
  await trx.deleteFrom('ticket_ccs').where('user_id', '=', person.id).execute();
  const swap = erasedValue(erasure);
  // CC changes are written as "a@x.test, b@y.test".
  const list = (value: string | null) => value === null ? null : value.split(', ').map(swap).join(', ');
  const lines = await trx.selectFrom('ticket_events').select(['id', 'from_value', 'to_value'])
    .where((eb) => eb.or([contains('from_value', person.email), contains('to_value', person.email)])).execute();
  for (const row of lines) {
    await trx.updateTable('ticket_events').set({ from_value: list(row.from_value), to_value: list(row.to_value) }).where('id', '=', row.id).execute();
  }
  const events = await trx.selectFrom('events').select(['id', 'payload']).where(contains('payload', person.email)).execute();
  for (const row of events) {
    const payload = JSON.stringify(JSON.parse(row.payload), (_key, value: unknown) => typeof value === 'string' ? list(value) : value);
    if (payload !== row.payload) await trx.updateTable('events').set({ payload }).where('id', '=', row.id).execute();
  }
  const ticketIds = copied.map((r) => r.ticket_id);
  await recordEvent(trx, { kind: 'person.erased', ticketId: null, actorId: actor.id, at: nowIso(), payload: { userId: person.id, ticketIds } });
  return ticketIds;
}

/** A candidate filter (LIKE ignores case); the exact replacement is done in code. */
function contains(column: 'from_value' | 'to_value' | 'payload', text: string) {
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${likePattern(text)} escape '\\'`;
}
