import type { Db } from '../db/connect.js';
import { enqueueJob } from '../jobs/queries.js';
import { isoIn } from '../lib/time.js';
import { markBreached, markWarned } from './engine.js';
import type { SlaTarget } from './schema.js';

export const SLA_JOB = 'sla.check';
/** How often the clock job looks for breaches and warnings. */
const EVERY_MS = 5 * 60_000;

export interface SlaCheckResult { breached: number; warned: number }

/**
 * Every five minutes: running targets past their due time are marked breached (a history line each), and
 * targets within their policy's warning time get one warning (a history line whose event asks the
 * notifications consumer to mail the assignee, else the group). Each in its own transaction.
 */
export async function runSlaCheck(db: Db, now = Date.now()): Promise<SlaCheckResult> {
  const at = new Date(now).toISOString();
  const result: SlaCheckResult = { breached: 0, warned: 0 };
  const overdue = await db.selectFrom('ticket_sla_targets').select(['ticket_id', 'target'])
    .where('state', '=', 'running').where('breached_at', 'is', null).where('due_at', '<=', at)
    .orderBy('due_at').limit(500).execute();
  for (const row of overdue) {
    if (await db.transaction().execute((trx) => markBreached(trx, row.ticket_id, row.target as SlaTarget, at))) result.breached++;
  }
  const longest = await db.selectFrom('ticket_slas').select((eb) => eb.fn.max('warn_minutes').as('m')).executeTakeFirst();
  const horizon = Number(longest?.m ?? 0);
  if (horizon > 0) {
    const soon = await db.selectFrom('ticket_sla_targets').select(['ticket_id', 'target'])
      .where('state', '=', 'running').where('warned_at', 'is', null).where('due_at', '>', at).where('due_at', '<=', isoIn(horizon * 60_000, now))
      .orderBy('due_at').limit(500).execute();
    for (const row of soon) {
      if (await db.transaction().execute((trx) => markWarned(trx, row.ticket_id, row.target as SlaTarget, at))) result.warned++;
    }
  }
  return result;
}

export async function runSlaJob(db: Db): Promise<void> {
  await runSlaCheck(db);
  await enqueueJob(db, SLA_JOB, {}, { runAt: isoIn(EVERY_MS), maxAttempts: 3 });
}

export async function scheduleSlaCheck(db: Db): Promise<void> {
  const waiting = await db.selectFrom('jobs').select('id').where('kind', '=', SLA_JOB).where('state', '=', 'queued').limit(1).executeTakeFirst();
  if (!waiting) await enqueueJob(db, SLA_JOB, {}, { maxAttempts: 3 });
}
