import type { Db } from '../db/connect.js';
import { Catalogue, type Translate } from '../i18n.js';
import { enqueueJob } from '../jobs/queries.js';
import { isoIn } from '../lib/time.js';
import { getNumberSetting } from '../settings/settings.js';
import { runActions } from './actions.js';
import { inBusinessHours, loadFacts, meets, readConditions, resolveTime, TIME_CONDITIONS, type RuleConditions, type TicketFacts, type TimeCondition } from './conditions.js';
import type { Rule } from './schema.js';

const TRIGGERS_CONSUMER = 'rules.triggers';

/** The job that runs the automations (the kind auto-close had, so a job booked before an upgrade runs them). */
export const AUTOMATIONS_JOB = 'tickets.autoclose';
/** How often the automations look at the tickets. */
export const AUTOMATIONS_EVERY_MS = 5 * 60_000;
const BATCH = 200;

let fallback: Translate | null = null;

/**
 * Automations (issue 21, point 4): every few minutes, each enabled automation in order, on the
 * tickets that meet its conditions now, at most once per ticket until the ticket changes (its
 * `updated_at` or `last_activity_at` moves past what `rule_runs` saw after the last run). Each
 * ticket in its own transaction, its conditions checked again inside it. Returns, per automation,
 * how many tickets it acted on.
 */
export async function runAutomations(db: Db, now = Date.now(), t: Translate = (fallback ??= new Catalogue().translator('en'))): Promise<Map<number, number>> {
  const acted = new Map<number, number>();
  const rules = await db.selectFrom('rules').selectAll().where('kind', '=', 'automation').where('enabled', '=', 1)
    .orderBy('position').orderBy('id').execute();
  const setting = async (key: string) => (await getNumberSetting(db, key)) ?? 0;
  const hours = await inBusinessHours(db, now);
  for (const rule of rules) {
    const conditions = readConditions(rule.conditions);
    const times: Partial<Record<TimeCondition, number | null>> = {};
    for (const key of TIME_CONDITIONS) if (conditions[key] !== undefined) times[key] = await resolveTime(conditions[key]!, setting);
    const keys = Object.keys(times) as TimeCondition[];
    // An automation waits for time: without a time condition, or with one switched off (0 days), it does nothing.
    if (keys.length === 0 || keys.some((key) => times[key] === null)) continue;
    let count = 0;
    for await (const ids of candidates(db, conditions, keys[0]!, now - times[keys[0]!]!)) {
      for (const id of ids) if (await actOn(db, rule, id, conditions, { now, inBusinessHours: hours, times }, t)) count++;
    }
    acted.set(rule.id, count);
  }
  return acted;
}

/** The latest change to a ticket, as `rule_runs` remembers it. */
const stampOf = (ticket: Pick<TicketFacts, 'updated_at' | 'last_activity_at'>) =>
  (ticket.updated_at > ticket.last_activity_at ? ticket.updated_at : ticket.last_activity_at);

async function actOn(db: Db, rule: Rule, ticketId: number, conditions: RuleConditions, context: Parameters<typeof meets>[3], t: Translate): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const facts = (await loadFacts(trx, [ticketId])).get(ticketId);
    if (!facts || !meets(conditions, facts, null, context)) return false;
    const last = await trx.selectFrom('rule_runs').select('stamp').where('rule_id', '=', rule.id).where('ticket_id', '=', ticketId).executeTakeFirst();
    if (last && last.stamp >= stampOf(facts)) return false;
    const at = new Date(context.now).toISOString();
    const done = await runActions(trx, rule, ticketId, t, at);
    const after = await trx.selectFrom('tickets').select(['updated_at', 'last_activity_at']).where('id', '=', ticketId).executeTakeFirstOrThrow();
    const stamp = stampOf(after);
    await trx.insertInto('rule_runs').values({ rule_id: rule.id, ticket_id: ticketId, stamp, ran_at: at })
      .onConflict((oc) => oc.columns(['rule_id', 'ticket_id']).doUpdateSet({ stamp, ran_at: at })).execute();
    return done;
  });
}

/**
 * The tickets that may meet the conditions, in keyset batches over the first time condition's
 * column (the (status_id, last_activity_at, id) index for the waiting ones); the rest is checked per ticket.
 */
async function* candidates(db: Db, c: RuleConditions, key: TimeCondition, cutoffMs: number): AsyncGenerator<number[]> {
  const cutoff = new Date(cutoffMs).toISOString();
  const column = key === 'solvedHours' ? 'tickets.solved_at' : key === 'unassignedHours' ? 'tickets.created_at' : 'tickets.last_activity_at';
  let statusIds: number[] | null = c.statusIds?.length ? [...c.statusIds] : null;
  if (c.categories?.length) {
    const inCategories = (await db.selectFrom('statuses').select('id').where('category', 'in', c.categories).execute()).map((s) => s.id);
    statusIds = statusIds ? statusIds.filter((id) => inCategories.includes(id)) : inCategories;
  }
  if (statusIds && statusIds.length === 0) return;
  let after: { at: string; id: number } | null = null;
  for (;;) {
    let query = db.selectFrom('tickets').select((eb) => ['tickets.id', eb.ref(column).as('at')]).where('tickets.binned_at', 'is', null).where(column, '<=', cutoff);
    if (statusIds) query = query.where('tickets.status_id', 'in', statusIds);
    if (key === 'unassignedHours') query = query.where('tickets.assignee_id', 'is', null);
    if (after) {
      const { at, id } = after;
      query = query.where((eb) => eb.or([eb(column, '>', at), eb.and([eb(column, '=', at), eb('tickets.id', '>', id)])]));
    }
    const rows = await query.orderBy(column).orderBy('tickets.id').limit(BATCH).execute();
    if (rows.length > 0) yield rows.map((r) => r.id);
    if (rows.length < BATCH) return;
    const last = rows[rows.length - 1]!;
    after = { at: last.at as string, id: last.id };
  }
}

/** The job runs the automations, then books its next run; at start-up one is booked if none is waiting. */
export async function runAutomationsJob(db: Db): Promise<void> {
  await runAutomations(db);
  // The chains of events the triggers consumer has handled are no longer needed.
  await db.deleteFrom('rule_chains').where('event_id', '<=', db.selectFrom('consumer_positions')
    .select('last_event_id').where('consumer', '=', TRIGGERS_CONSUMER)).execute();
  await enqueueJob(db, AUTOMATIONS_JOB, {}, { runAt: isoIn(AUTOMATIONS_EVERY_MS), maxAttempts: 3 });
}

export async function scheduleAutomations(db: Db): Promise<void> {
  const waiting = await db.selectFrom('jobs').select('id')
    .where('kind', '=', AUTOMATIONS_JOB).where('state', '=', 'queued').limit(1).executeTakeFirst();
  if (!waiting) await enqueueJob(db, AUTOMATIONS_JOB, {}, { maxAttempts: 3 });
}
