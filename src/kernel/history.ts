import type { Trx } from '../db/connect.js';

/** One line of a ticket's history (`ticket_events`): what changed, from what, to what. */
export interface HistoryEntry {
  kind: string;
  /** For custom-field changes: the field's label at the time. */
  field?: string | null;
  from: string | null;
  to: string | null;
}

/**
 * The one place that writes `ticket_events` rows: the kernel's verbs call it, nothing else does
 * (test/kernel/door.test.ts). One row per changed field.
 */
export async function writeHistory(trx: Trx, ticketId: number, actorId: number | null, entries: HistoryEntry[], now: string): Promise<void> {
  if (entries.length === 0) return;
  await trx.insertInto('ticket_events').values(entries.map((e) => ({
    ticket_id: ticketId, actor_id: actorId, kind: e.kind, field: e.field ?? null, from_value: e.from, to_value: e.to, created_at: now,
  }))).execute();
}

/** Drop history rows of a kind (a ticket's own creation writes no 'field' rows: the values are part of it). */
export async function forgetHistory(trx: Trx, ticketId: number, kind: string): Promise<void> {
  await trx.deleteFrom('ticket_events').where('ticket_id', '=', ticketId).where('kind', '=', kind).execute();
}

/** A workflow move: one status line for every ticket in status `from`, in one statement. */
export async function writeStatusHistoryOfAll(trx: Trx, from: { id: number; name: string }, to: { name: string }, actorId: number, now: string): Promise<void> {
  await trx.insertInto('ticket_events')
    .columns(['ticket_id', 'actor_id', 'kind', 'from_value', 'to_value', 'created_at'])
    .expression((eb) => eb.selectFrom('tickets').select((s) => [
      'tickets.id', s.val(actorId).as('actor_id'), s.val('status').as('kind'), s.val(from.name).as('from_value'),
      s.val(to.name).as('to_value'), s.val(now).as('created_at'),
    ]).where('tickets.status_id', '=', from.id))
    .execute();
}
