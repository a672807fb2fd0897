import { sql } from 'kysely';
import { moveAllTickets } from '../kernel/index.js';
import type { Db, Trx } from '../db/connect.js';
import type { Status, StatusCategory } from '../db/schema.js';
import type { PresetStatus } from './presets.js';

/** Ticket counts per status stop here: the list stays fast at a million tickets ("10,000+"). */
export const STATUS_COUNT_CAP = 10_000;

export const STATUS_SETTINGS = { assignment: 'assignment_status_id', offerAccepted: 'offer_accepted_status_id' } as const;

/** The workflow as forms offer it: active statuses in order. Retired ones stay only for history. */
export function listStatuses(db: Db): Promise<Status[]> {
  return db.selectFrom('statuses').selectAll().where('retired_at', 'is', null).orderBy('position').orderBy('id').execute();
}

export function findStatus(db: Db, id: number): Promise<Status | undefined> {
  return db.selectFrom('statuses').selectAll().where('id', '=', id).where('retired_at', 'is', null).executeTakeFirst();
}

/** Tickets per status, each counted over the status_id index and no further than the cap + 1. */
export async function ticketCounts(db: Db, statusIds: number[]): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const id of statusIds) {
    const inner = db.selectFrom('tickets').select(sql`1`.as('one')).where('status_id', '=', id).limit(STATUS_COUNT_CAP + 1);
    const row = await db.selectFrom(inner.as('capped')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    counts.set(id, Number(row.n));
  }
  return counts;
}

/** Ticket types whose new tickets start in this status. */
export async function typesStartingIn(db: Db, statusId: number): Promise<string[]> {
  const rows = await db.selectFrom('ticket_types').select('name').where('initial_status_id', '=', statusId).orderBy('name').execute();
  return rows.map((r) => r.name);
}

export async function readStatusSettings(db: Db): Promise<{ assignment: number | null; offerAccepted: number | null }> {
  const rows = await db.selectFrom('settings').select(['key', 'value'])
    .where('key', 'in', [STATUS_SETTINGS.assignment, STATUS_SETTINGS.offerAccepted]).execute();
  const read = (key: string) => {
    const n = Number(rows.find((r) => r.key === key)?.value ?? NaN);
    return Number.isSafeInteger(n) ? n : null;
  };
  return { assignment: read(STATUS_SETTINGS.assignment), offerAccepted: read(STATUS_SETTINGS.offerAccepted) };
}

/** A status setting, or its removal (none). */
export async function writeStatusSetting(trx: Db, key: string, statusId: number | null): Promise<void> {
  if (statusId === null) {
    await trx.deleteFrom('settings').where('key', '=', key).execute();
    return;
  }
  await trx.insertInto('settings').values({ key, value: String(statusId) })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(statusId) })).execute();
}

export async function nextPosition(trx: Db): Promise<number> {
  const row = await trx.selectFrom('statuses').select((eb) => eb.fn.max('position').as('max'))
    .where('retired_at', 'is', null).executeTakeFirst();
  return row?.max === null || row?.max === undefined ? 0 : Number(row.max) + 1;
}

/** Statuses in the given order; the first of each category is its default. Returns the new ids. */
export async function insertWorkflow(trx: Db, statuses: readonly PresetStatus[]): Promise<number[]> {
  const seen = new Set<StatusCategory>();
  const ids: number[] = [];
  for (const [position, status] of statuses.entries()) {
    const row = await trx.insertInto('statuses').values({
      name: status.name, customer_label: status.customerLabel, category: status.category, position,
      is_default_for_category: seen.has(status.category) ? 0 : 1, retired_at: null,
    }).returning('id').executeTakeFirstOrThrow();
    seen.add(status.category);
    ids.push(row.id);
  }
  return ids;
}

/**
 * Exactly one default per category that has statuses: keeps the first marked one (by position),
 * or marks the first of the category when none is.
 */
export async function normaliseDefaults(trx: Db): Promise<void> {
  const statuses = await listStatuses(trx);
  const chosen = new Map<StatusCategory, number>();
  for (const s of statuses) if (s.is_default_for_category === 1 && !chosen.has(s.category)) chosen.set(s.category, s.id);
  for (const s of statuses) if (!chosen.has(s.category)) chosen.set(s.category, s.id);
  for (const s of statuses) {
    const wanted = chosen.get(s.category) === s.id ? 1 : 0;
    if (s.is_default_for_category !== wanted) {
      await trx.updateTable('statuses').set({ is_default_for_category: wanted }).where('id', '=', s.id).execute();
    }
  }
}

/**
 * Every ticket in `from` moves to `to`, each with a history event, in two statements whatever the
 * number of tickets. Solved/closed stamps follow the new category as a status change sets them;
 * last_activity_at is left alone: a workflow change is not activity, and must not mark every ticket unread.
 * Fields required before a category are not checked: an admin's workflow change must not stall on old tickets.
 */
export async function moveTickets(trx: Trx, from: Pick<Status, 'id' | 'name'>, to: Pick<Status, 'id' | 'name' | 'category'>, actorId: number, now: string): Promise<number> {
  return moveAllTickets(trx, from, to, actorId, now);
}

/** Types that started tickets in `from` now start them in `to`. */
export async function repointTypes(trx: Db, fromId: number, toId: number | null): Promise<void> {
  await trx.updateTable('ticket_types').set({ initial_status_id: toId }).where('initial_status_id', '=', fromId).execute();
}

export async function retireStatus(trx: Db, id: number, now: string): Promise<void> {
  await trx.updateTable('statuses').set({ retired_at: now, is_default_for_category: 0 }).where('id', '=', id).execute();
}
