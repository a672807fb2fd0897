import type { Db } from '../db/connect.js';
import { addFact, applyChanges, Cells } from './rollup.js';
import type { ReportFactsTable, SlaOutcome } from './schema.js';

/**
 * One ticket's figures, computed from what the ticket is now: the consumer refreshes a ticket's row
 * on each of its events and the rebuild refreshes every ticket's the same way, so both always agree.
 */

const HOUR_SLOT = 15 * 60_000;
/** Rows per insert statement (17 values each: well under both databases' limit on parameters). */
const INSERT_ROWS = 500;

/**
 * The local date (YYYY-MM-DD) of an instant in a time zone. Offsets only change on a quarter hour, so
 * the offset is looked up once per quarter hour and zone (a rebuild reads millions of instants), and
 * remembered for the process with the zone's formatter: creating an Intl.DateTimeFormat costs ~0.7 ms,
 * which every new ticket's report row paid (a tenth of a portal submission's CPU).
 */
export function dayIn(timeZone: string): (iso: string) => string {
  const { format, offsets } = zoneOf(timeZone);
  return (iso) => {
    const ms = Date.parse(iso);
    const slot = Math.floor(ms / HOUR_SLOT);
    let offset = offsets.get(slot);
    if (offset === undefined) {
      const at = slot * HOUR_SLOT;
      const parts = Object.fromEntries(format.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
      offset = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute)) - at;
      if (offsets.size >= MOST_SLOTS) offsets.clear();
      offsets.set(slot, offset);
    }
    return new Date(ms + offset).toISOString().slice(0, 10);
  };
}

/** Quarter hours remembered per zone (three years' worth; a rebuild of an older desk starts again). */
const MOST_SLOTS = 3 * 366 * 96;
const zones = new Map<string, { format: Intl.DateTimeFormat; offsets: Map<number, number> }>();

function zoneOf(timeZone: string) {
  let zone = zones.get(timeZone);
  if (!zone) {
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    });
    zones.set(timeZone, zone = { format, offsets: new Map() });
  }
  return zone;
}

const seconds = (from: string, to: string | null) => (to === null ? null : Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000)));

function outcome(target: { state: string; breached_at: string | null } | undefined): SlaOutcome | null {
  if (!target) return null;
  if (target.breached_at !== null) return 'missed';
  return target.state === 'fulfilled' ? 'met' : null;
}

/** The rows of these tickets as they stand (binned and deleted tickets have none). */
export async function computeFacts(db: Db, ticketIds: readonly number[], timeZone: string): Promise<ReportFactsTable[]> {
  if (ticketIds.length === 0) return [];
  const tickets = await db.selectFrom('tickets')
    .select(['id', 'created_at', 'first_response_at', 'solved_at', 'closed_at', 'group_id', 'assignee_id', 'type_id', 'brand_id', 'channel'])
    .where('id', 'in', ticketIds).where('binned_at', 'is', null).orderBy('id').execute();
  if (tickets.length === 0) return [];
  const ids = tickets.map((t) => t.id);
  // The newest rating of each ticket counts (one person's new rating replaces their old one).
  const ratings = new Map<number, { score: 'good' | 'bad'; created_at: string }>();
  for (const r of await db.selectFrom('ratings').select(['ticket_id', 'score', 'created_at']).where('ticket_id', 'in', ids)
    .orderBy('created_at').orderBy('id').execute()) ratings.set(r.ticket_id, r);
  const targets = new Map<string, { state: string; breached_at: string | null }>();
  for (const row of await db.selectFrom('ticket_sla_targets').select(['ticket_id', 'target', 'state', 'breached_at']).where('ticket_id', 'in', ids).execute()) {
    targets.set(`${row.ticket_id}:${row.target}`, row);
  }
  const tags = new Map<number, number[]>();
  for (const row of await db.selectFrom('ticket_tags').select(['ticket_id', 'tag_id']).where('ticket_id', 'in', ids).orderBy('ticket_id').orderBy('tag_id').execute()) {
    const list = tags.get(row.ticket_id);
    if (list) list.push(row.tag_id);
    else tags.set(row.ticket_id, [row.tag_id]);
  }
  const day = dayIn(timeZone);
  const dayOf = (iso: string | null) => (iso === null ? null : day(iso));
  return tickets.map((t) => {
    const rating = ratings.get(t.id);
    return {
      ticket_id: t.id,
      created_day: day(t.created_at),
      solved_day: dayOf(t.solved_at),
      done_day: dayOf(t.solved_at ?? t.closed_at),
      first_reply_day: dayOf(t.first_response_at),
      rating_day: rating ? day(rating.created_at) : null,
      first_reply_seconds: seconds(t.created_at, t.first_response_at),
      resolution_seconds: seconds(t.created_at, t.solved_at),
      group_id: t.group_id,
      assignee_id: t.assignee_id,
      type_id: t.type_id,
      brand_id: t.brand_id,
      channel: t.channel,
      rating: rating?.score ?? null,
      sla_first_reply: outcome(targets.get(`${t.id}:first_reply`)),
      sla_next_reply: outcome(targets.get(`${t.id}:next_reply`)),
      sla_resolution: outcome(targets.get(`${t.id}:resolution`)),
      tag_ids: (tags.get(t.id) ?? []).join(','),
    };
  });
}

const sameFact = (a: ReportFactsTable, b: ReportFactsTable) =>
  (Object.keys(b) as (keyof ReportFactsTable)[]).every((column) => (a[column] ?? null) === (b[column] ?? null));

/**
 * Bring these tickets' rows up to date: written anew, or removed for a ticket binned or gone; and
 * with them the daily rollup, by the difference between the old rows and the new (rollup.ts). A row
 * that did not change (most events: a note, a second reply) is left as it is. `rollup: false` for
 * the rebuild, which computes the rollup from the rows afterwards.
 */
export async function refreshFacts(db: Db, ticketIds: readonly number[], timeZone: string, options: { rollup?: boolean } = {}): Promise<void> {
  if (ticketIds.length === 0) return;
  const rows = await computeFacts(db, ticketIds, timeZone);
  const before = new Map((await db.selectFrom('report_facts').selectAll().where('ticket_id', 'in', ticketIds).execute()).map((row) => [row.ticket_id, row]));
  // The rebuild has no use for the differences (a third of its time at 200k tickets).
  const rollup = options.rollup !== false;
  const changes = new Cells();
  const written = rows.filter((row) => {
    const old = before.get(row.ticket_id);
    if (old && sameFact(old, row)) return false;
    if (old && rollup) addFact(changes, old, -1);
    if (rollup) addFact(changes, row, 1);
    return true;
  });
  const kept = new Set(rows.map((row) => row.ticket_id));
  const gone = [...before.values()].filter((row) => !kept.has(row.ticket_id));
  if (rollup) for (const row of gone) addFact(changes, row, -1);
  const replaced = [...written.map((row) => row.ticket_id), ...gone.map((row) => row.ticket_id)].filter((id) => before.has(id));
  for (let i = 0; i < replaced.length; i += INSERT_ROWS) await db.deleteFrom('report_facts').where('ticket_id', 'in', replaced.slice(i, i + INSERT_ROWS)).execute();
  for (let i = 0; i < written.length; i += INSERT_ROWS) await db.insertInto('report_facts').values(written.slice(i, i + INSERT_ROWS)).execute();
  if (rollup) await applyChanges(db, changes);
}
