import type { Trx } from '../db/connect.js';
import type { Consumer } from '../events/consumer.js';
import type { StreamEvent } from '../events/record.js';
import { refreshFacts } from './facts.js';
import { reportTimeZone } from './zone.js';

/** The tickets an event touched: its own, and those a bulk or person event names in its payload. */
function ticketsOf(event: StreamEvent): number[] {
  const ids = new Set<number>();
  if (event.ticketId !== null) ids.add(event.ticketId);
  const listed = event.payload.ticketIds;
  if (Array.isArray(listed)) for (const id of listed) if (typeof id === 'number') ids.add(id);
  for (const key of ['survivorId', 'ticketId']) {
    const id = event.payload[key];
    if (typeof id === 'number') ids.add(id);
  }
  return [...ids];
}

/** The reports consumer's name (its position's key, and its lock's: rebuild.ts takes it too). */
export const REPORTS_CONSUMER = 'reports';

/**
 * The reports' figures (issue 21, point 5): every event on a ticket brings its `report_facts` row
 * up to date from the ticket as it now stands (`deskbell reports rebuild` does the same for all).
 * Transactional: the row moves with the position. It runs after the SLA clocks in CONSUMERS, so a
 * target decided by an event is already recorded when the row is written.
 */
export const reportFacts: Consumer = {
  name: REPORTS_CONSUMER,
  transactional: true,
  // The ticket and its old row are read before the writer lock (PostgreSQL): reading a ticket as it
  // stands a moment later is what the next event would write anyway, and the old row, which the
  // rollup's difference is taken from, is written only under this consumer's own lock, which the
  // rebuild takes too (rebuild.ts).
  lateWriterLock: true,
  async handle(trx, event) {
    await refreshFactsOf(trx, [event]);
  },
  // A ticket's row is computed from the ticket as it stands, so a run's events on one ticket (a new
  // ticket and the change a consumer made to it a moment later) ask for it once.
  async handleRun(trx, events) {
    await refreshFactsOf(trx, events);
  },
};

/** At most this many tickets' rows brought up to date per statement set (bulk events name hundreds). */
const TICKETS_AT_ONCE = 1000;

async function refreshFactsOf(trx: Trx, events: readonly StreamEvent[]): Promise<void> {
  const ids = [...new Set(events.flatMap(ticketsOf))];
  if (ids.length === 0) return;
  const zone = await reportTimeZone(trx);
  for (let at = 0; at < ids.length; at += TICKETS_AT_ONCE) await refreshFacts(trx, ids.slice(at, at + TICKETS_AT_ONCE), zone);
}
