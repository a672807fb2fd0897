// Keyset paging of ticket lists: each sort's columns (the id last, all in one direction), the cursor
// that carries the last row's values to the next page, and the order the joined page is read in.
import { sql, type RawBuilder } from 'kysely';
import { Malformed } from '../lib/errors.js';
import { sortParts, type SortColumn, type SortKey } from './list-filter.js';

/** Tickets a page shows. */
export const PAGE_SIZE = 50;

// Must read exactly as in migration 0002's expression index, or SQLite will not use it.
export const PRIORITY_RANK = sql<number>`(case tickets.priority when 'urgent' then 4 when 'high' then 3 when 'normal' then 2 else 1 end)`;

/** Keyset cursor values per sort: the sort columns then the id, all in the sort's one direction. */
export type CursorValues = (string | number)[];

export const SORT_COLUMNS: Record<SortColumn, RawBuilder<unknown>[]> = {
  activity: [sql`tickets.last_activity_at`, sql`tickets.id`],
  created: [sql`tickets.created_at`, sql`tickets.id`],
  priority: [PRIORITY_RANK, sql`tickets.last_activity_at`, sql`tickets.id`],
  id: [sql`tickets.id`],
  // The "Next SLA due" page is chosen by slaPageSubquery; its cursor is (due time, id) all the same.
  sla: [sql`sla_key`, sql`tickets.id`],
};

export function encodeCursor(values: CursorValues | null): string | null {
  return values ? Buffer.from(JSON.stringify(values)).toString('base64url') : null;
}

export function decodeCursor(sort: SortKey, value: unknown): CursorValues | null {
  if (value === undefined || value === '') return null;
  let parsed: unknown;
  try {
    parsed = typeof value === 'string' && value.length < 200 ? JSON.parse(Buffer.from(value, 'base64url').toString()) : null;
  } catch {
    parsed = null;
  }
  const columns = SORT_COLUMNS[sortParts(sort).column].length;
  if (!Array.isArray(parsed) || parsed.length !== columns
    || !parsed.every((v, i) => (i === columns - 1 ? Number.isSafeInteger(v) : typeof v === 'string' || Number.isSafeInteger(v)))) {
    throw new Malformed('errors.badCursor');
  }
  return parsed as CursorValues;
}

/** The rows after the cursor in the sort: every column runs the same way, so one row comparison pages along the index in either direction. */
export function pastCursor(sort: SortKey, after: CursorValues) {
  const { column, ascending } = sortParts(sort);
  const columns = SORT_COLUMNS[column];
  return ascending ? sql<boolean>`(${sql.join(columns)}) > (${sql.join(after)})` : sql<boolean>`(${sql.join(columns)}) < (${sql.join(after)})`;
}

export type CursorRow = { id: number; last_activity_at: string; created_at: string; priority_rank: number; sla_key?: string };

/** The rows to show (at most `size`) and the cursor of the next page, if there is one. */
export function pageOf<R extends CursorRow>(rows: R[], sort: SortKey, size = PAGE_SIZE): { rows: R[]; next: string | null } {
  const more = rows.length > size;
  const shown = more ? rows.slice(0, size) : rows;
  const last = shown[shown.length - 1];
  return { rows: shown, next: more && last ? encodeCursor(cursorOf(last, sort)) : null };
}

/** The keyset cursor values that page on after this row, in this sort. */
export function cursorOf(row: CursorRow, sort: SortKey): CursorValues {
  const cursor: Record<SortColumn, (r: CursorRow) => CursorValues> = {
    activity: (r) => [r.last_activity_at, r.id],
    created: (r) => [r.created_at, r.id],
    priority: (r) => [r.priority_rank, r.last_activity_at, r.id],
    id: (r) => [r.id],
    sla: (r) => [r.sla_key ?? '', r.id],
  };
  return cursor[sortParts(sort).column](row);
}

/** The same order again over the joined page (the subquery's order does not carry through a join). */
export const OUTER_ORDER: Record<SortKey, RawBuilder<unknown>> = {
  activity: sql`t.last_activity_at desc, t.id desc`,
  created: sql`t.created_at desc, t.id desc`,
  priority: sql`t.priority_rank desc, t.last_activity_at desc, t.id desc`,
  id: sql`t.id desc`,
  activity_asc: sql`t.last_activity_at asc, t.id asc`,
  created_asc: sql`t.created_at asc, t.id asc`,
  priority_asc: sql`t.priority_rank asc, t.last_activity_at asc, t.id asc`,
  id_asc: sql`t.id asc`,
  sla: sql`t.sla_key asc, t.id asc`,
};
