import type { Db } from '../db/connect.js';
import { getSetting, putSetting } from '../settings/settings.js';
import { addBucket, addInto, decodeHistogram, encodeHistogram, valueOf, type Histogram } from './histogram.js';
import type { ReportDaysTable, ReportFactsTable } from './schema.js';

/**
 * The daily rollup of the report rows (`report_days`, migration 0052): what a whole-desk report
 * reads instead of every ticket's row. One function says what a ticket's row adds to which days
 * (`addFact`); the consumer adds a ticket's new row and takes its old one away in the transaction
 * that rewrites it (`applyChanges`), and the rebuild computes whole ranges of days from the rows
 * (`rollupDays`), so both always agree.
 */

/**
 * The setting that says how far the rollup holds every ticket: the last local day it is complete
 * for ('9999-12-31' once built; missing before the first rebuild of a desk that had report rows).
 * A rebuild recomputes it day range by day range, moving this on; the consumer keeps the days up to
 * it, and reports whose range ends after it read the ticket rows instead.
 */
export const ROLLUP_KEY = 'reports.rollup';
export const COMPLETE = '9999-12-31';

export const COUNTS = ['created', 'solved', 'done', 'backlog', 'fr_met', 'fr_missed', 'nr_met', 'nr_missed', 'rs_met', 'rs_missed', 'good', 'bad'] as const;
type Count = (typeof COUNTS)[number];

/**
 * A cell sums one day, or a block of 8 or 64 days (aligned on days since 1970-01-01, `day` its first),
 * so that a report merges a few blocks and the days at its range's ends rather than every day: a
 * 90-day report about 15 cells a value instead of 90 (`cover`). The per-day series reads single
 * days; the backlog when a range starts sums the blocks and days before it (`before`).
 */
export const SPANS = [64, 8, 1] as const;
const DAY = 86_400_000;
const dayNumber = (date: string) => Math.round(Date.parse(`${date}T00:00:00Z`) / DAY);
const dateOf = (n: number) => new Date(n * DAY).toISOString().slice(0, 10);
const blockOf = (date: string, span: number) => (span === 1 ? date : dateOf(Math.floor(dayNumber(date) / span) * span));

/**
 * The cells that make up every day before `day`, by span: the blocks of 64 days that start before
 * its own block of 64, the blocks of 8 from there up to its own block of 8, and the single days
 * from there: a desk's whole past in a few dozen cells (`day` the first, `below` the first after).
 */
export function before(day: string): { span: number; from: string | null; below: string }[] {
  const at = dayNumber(day);
  const b64 = dateOf(Math.floor(at / 64) * 64);
  const b8 = dateOf(Math.floor(at / 8) * 8);
  return [{ span: 64, from: null, below: b64 }, { span: 8, from: b64, below: b8 }, { span: 1, from: b8, below: day }];
}

/** The cells (first day, span) that make up the local dates from `from` to `to`, both included. */
export function cover(from: string, to: string): { day: string; span: number }[] {
  const cells: { day: string; span: number }[] = [];
  const end = dayNumber(to);
  for (let at = dayNumber(from); at <= end;) {
    const span = SPANS.find((s) => at % s === 0 && at + s - 1 <= end)!;
    cells.push({ day: dateOf(at), span });
    at += span;
  }
  return cells;
}

export interface Cell {
  dim: string;
  span: number;
  day: string;
  key: string;
  counts: Record<Count, number>;
  firstReply: Histogram;
  resolution: Histogram;
}

type Fact = ReportFactsTable;
const KEYED = [['group', 'group_id'], ['agent', 'assignee_id'], ['type', 'type_id'], ['channel', 'channel'], ['brand', 'brand_id']] as const;
const DAY_COLUMNS = ['created_day', 'solved_day', 'done_day', 'first_reply_day', 'rating_day'] as const;
const SLA = [['sla_first_reply', 'fr'], ['sla_next_reply', 'nr'], ['sla_resolution', 'rs']] as const;

/** Cells by day (and span), dimension and value: two look-ups of ready-made strings per cell (a rebuild adds millions). */
export class Cells {
  readonly all: Cell[] = [];
  private readonly byDay = new Map<string, Map<string, Cell>>();
  get(dim: string, span: number, day: string, key: string): Cell {
    return this.at(`${span}|${day}`, span, day, `${dim}|${key}`, dim, key);
  }
  at(dayId: string, span: number, day: string, keyId: string, dim: string, key: string): Cell {
    let cells = this.byDay.get(dayId);
    if (!cells) this.byDay.set(dayId, (cells = new Map()));
    let cell = cells.get(keyId);
    if (!cell) {
      cell = { dim, span, day, key, counts: { ...NO_COUNTS }, firstReply: new Map(), resolution: new Map() };
      cells.set(keyId, cell);
      this.all.push(cell);
    }
    return cell;
  }
}

const NO_COUNTS = Object.fromEntries(COUNTS.map((c) => [c, 0])) as Record<Count, number>;

interface Key { dim: string; key: string; id: string }
const WHOLE: Key = { dim: 'none', key: '', id: 'none|' };
/**
 * The whole desk's counts per day, for the series and the backlog: narrow rows (no durations) read
 * by the hundred; in blocks of days too, for the backlog before a range (its whole past).
 */
const SERIES: Key = { dim: 'days', key: '', id: 'days|' };

/** The (dimension, value) pairs a row counts under: the whole desk, one value of each key, each of its tags. */
function keysOf(fact: Fact): Key[] {
  const keys = [WHOLE];
  const add = (dim: string, key: string) => keys.push({ dim, key, id: `${dim}|${key}` });
  for (const [dim, column] of KEYED) add(dim, fact[column] === null ? '' : String(fact[column]));
  if (fact.tag_ids) for (const id of fact.tag_ids.split(',')) add('tag', id);
  return keys;
}

/** A day's cells at each span: (id, span, first day), remembered (a rebuild asks for a few thousand days, millions of times). */
const spansOfDay = new Map<string, { id: string; span: number; day: string }[]>();
function spansOf(day: string) {
  let spans = spansOfDay.get(day);
  if (!spans) {
    if (spansOfDay.size > 100_000) spansOfDay.clear();
    spans = SPANS.map((span) => ({ span, day: blockOf(day, span), id: `${span}|${blockOf(day, span)}` }));
    spansOfDay.set(day, spans);
  }
  return spans;
}

/** Add a ticket's row (sign 1) or take it away (-1), on the days in `within` only (all when none). */
export function addFact(cells: Cells, fact: Fact, sign: 1 | -1, within?: { from: string; to: string }): void {
  const keys = keysOf(fact);
  const on = (day: string | null, series: boolean, add: (cell: Cell) => void) => {
    if (day === null || (within && (day < within.from || day > within.to))) return;
    for (const at of spansOf(day)) {
      if (series) add(cells.at(at.id, at.span, at.day, SERIES.id, SERIES.dim, SERIES.key));
      else for (const key of keys) add(cells.at(at.id, at.span, at.day, key.id, key.dim, key.key));
    }
  };
  on(fact.created_day, false, ({ counts }) => {
    counts.created += sign;
    for (const [column, prefix] of SLA) {
      const outcome = fact[column];
      if (outcome !== null) counts[`${prefix}_${outcome}`] += sign;
    }
  });
  const resolution = fact.resolution_seconds === null ? null : valueOf(fact.resolution_seconds);
  on(fact.solved_day, false, (cell) => {
    cell.counts.solved += sign;
    if (resolution) addBucket(cell.resolution, resolution, sign);
  });
  const firstReply = fact.first_reply_seconds === null ? null : valueOf(fact.first_reply_seconds);
  if (firstReply) on(fact.first_reply_day, false, (cell) => addBucket(cell.firstReply, firstReply, sign));
  if (fact.rating !== null) on(fact.rating_day, false, ({ counts }) => { counts[fact.rating!] += sign; });
  // The series: created, solved and done per day, and the backlog, in from the day a ticket was
  // created, out from the day it was done (one done before it was created, as imported data can
  // say, was never in it).
  on(fact.created_day, true, ({ counts }) => {
    counts.created += sign;
    counts.backlog += sign;
  });
  on(fact.solved_day, true, ({ counts }) => { counts.solved += sign; });
  on(fact.done_day, true, ({ counts }) => { counts.done += sign; });
  if (fact.done_day !== null) on(fact.done_day > fact.created_day ? fact.done_day : fact.created_day, true, ({ counts }) => { counts.backlog -= sign; });
}

const isEmpty = (cell: Cell) => COUNTS.every((c) => cell.counts[c] === 0)
  && [...cell.firstReply.values(), ...cell.resolution.values()].every(([n, s, q]) => n === 0 && s === 0 && q === 0);

function rowOf(cell: Cell): ReportDaysTable {
  return { dim: cell.dim, span: cell.span, day: cell.day, key: cell.key, ...cell.counts, first_reply: encodeHistogram(cell.firstReply), resolution: encodeHistogram(cell.resolution) };
}

/** A stored histogram with a change added: the stored text itself when the change adds nothing (most: a new ticket's counts). */
function withChange(stored: string | null, change: Histogram): string | null {
  if (change.size === 0) return stored;
  const sum = decodeHistogram(stored);
  addInto(sum, change);
  return encodeHistogram(sum);
}

/** Rows per statement (18 values each: well under both databases' limits on parameters). */
const INSERT_ROWS = 500;
/** Days read per statement (4 values each). */
const READ_CELLS = 250;

/**
 * Add changes (the new rows less the old ones) to the stored days, in the caller's transaction:
 * the days up to how far the rollup is complete (later days are still to be computed by a running
 * rebuild, from the rows as they will be then). A day and value whose sums come to nothing goes.
 */
export async function applyChanges(trx: Db, changes: Cells): Promise<void> {
  const upto = await getSetting(trx, ROLLUP_KEY);
  if (upto === undefined) return;
  const changed = changes.all.filter((cell) => cell.day <= upto && !isEmpty(cell));
  if (changed.length === 0) return;
  // Exactly the changed days, one key lookup each: the cross product of their dims, spans, days
  // and keys was ten times as many lookups (a new ticket: 19 cells, 378 lookups).
  const rows = new Map<string, ReportDaysTable>();
  for (let i = 0; i < changed.length; i += READ_CELLS) {
    const stored = await trx.selectFrom('report_days').selectAll()
      .where((eb) => eb.or(changed.slice(i, i + READ_CELLS).map((c) => eb.and({ dim: c.dim, span: c.span, day: c.day, key: c.key }))))
      .execute();
    for (const row of stored) rows.set(`${row.dim}|${row.span}|${row.day}|${row.key}`, row);
  }
  const keep: ReportDaysTable[] = [];
  const gone: Cell[] = [];
  for (const change of changed) {
    const row = rows.get(`${change.dim}|${change.span}|${change.day}|${change.key}`);
    const counts = Object.fromEntries(COUNTS.map((c) => [c, Number(row?.[c] ?? 0) + change.counts[c]])) as Record<Count, number>;
    const sum: ReportDaysTable = {
      dim: change.dim, span: change.span, day: change.day, key: change.key, ...counts,
      first_reply: withChange(row?.first_reply ?? null, change.firstReply), resolution: withChange(row?.resolution ?? null, change.resolution),
    };
    if (COUNTS.every((c) => counts[c] === 0) && sum.first_reply === null && sum.resolution === null) gone.push(change);
    else keep.push(sum);
  }
  for (const cell of gone) {
    await trx.deleteFrom('report_days').where('dim', '=', cell.dim).where('span', '=', cell.span).where('day', '=', cell.day).where('key', '=', cell.key).execute();
  }
  for (let i = 0; i < keep.length; i += INSERT_ROWS) {
    await trx.insertInto('report_days').values(keep.slice(i, i + INSERT_ROWS))
      .onConflict((oc) => oc.columns(['dim', 'span', 'day', 'key']).doUpdateSet((eb) => Object.fromEntries(
        [...COUNTS, 'first_reply', 'resolution'].map((c) => [c, eb.ref(`excluded.${c}` as `excluded.${Count}`)]),
      ))).execute();
  }
}

/**
 * The days from `from` to `to` (both included) computed anew from the report rows, in the caller's
 * transaction; with the blocks that start in them, so the range must hold whole blocks of 64 days.
 */
export async function rollupDays(trx: Db, from: string, to: string): Promise<void> {
  const facts = new Map<number, Fact>();
  for (const column of DAY_COLUMNS) {
    for (const fact of await trx.selectFrom('report_facts').selectAll().where(column, '>=', from).where(column, '<=', to).execute()) facts.set(fact.ticket_id, fact);
  }
  const cells = new Cells();
  for (const fact of facts.values()) addFact(cells, fact, 1, { from, to });
  await trx.deleteFrom('report_days').where('day', '>=', from).where('day', '<=', to).execute();
  const rows = cells.all.filter((cell) => !isEmpty(cell)).map(rowOf);
  for (let i = 0; i < rows.length; i += INSERT_ROWS) await trx.insertInto('report_days').values(rows.slice(i, i + INSERT_ROWS)).execute();
}

const shift = (date: string, days: number) => dateOf(dayNumber(date) + days);

/**
 * The whole rollup computed anew from the report rows, oldest days first, each block of 64 days in
 * a transaction of its own that also moves the setting on (the consumer keeps the days behind it
 * meanwhile); the first takes every earlier day too, the last every later one.
 */
export async function rebuildRollup(db: Db): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('settings').where('key', '=', ROLLUP_KEY).execute();
    await trx.deleteFrom('report_days').execute();
  });
  let first: string | null = null;
  let last: string | null = null;
  for (const column of DAY_COLUMNS) {
    const row = await db.selectFrom('report_facts').select((eb) => [eb.fn.min(column).as('low'), eb.fn.max(column).as('high')]).executeTakeFirst();
    if (row?.low && (first === null || row.low < first)) first = row.low;
    if (row?.high && (last === null || row.high > last)) last = row.high;
  }
  // A ticket's row written meanwhile may have days before or after every row's there was.
  let from = '0000-01-01';
  const BLOCK = SPANS[0];
  for (let to = first === null ? null : shift(blockOf(first, BLOCK), BLOCK - 1); to !== null && to < last!; to = shift(to, BLOCK)) {
    const range = { from, to };
    await db.transaction().execute(async (trx) => {
      await rollupDays(trx, range.from, range.to);
      await putSetting(trx, ROLLUP_KEY, range.to);
    });
    from = shift(to, 1);
  }
  await db.transaction().execute(async (trx) => {
    await rollupDays(trx, from, COMPLETE);
    await putSetting(trx, ROLLUP_KEY, COMPLETE);
  });
}
