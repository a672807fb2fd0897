import type { Db } from '../db/connect.js';
import type { Translate } from '../i18n.js';
import { getNumberSetting } from '../settings/settings.js';
import { describeRuleActions, readActions } from './actions.js';
import { inBusinessHours, loadFacts, meets, readConditions, resolveTime, TIME_CONDITIONS, viaOfChannel, type TimeCondition } from './conditions.js';
import type { Rule } from './schema.js';

export const TEST_MODE_TICKETS = 200;

export interface Preview {
  looked: number;
  matches: { id: number; subject: string; status: string }[];
  actions: string[];
}

/**
 * Test mode: which of the newest 200 tickets the rule would match now, and what it would do, without
 * doing it. A trigger's tickets are taken as if just created (by their channel, their first message);
 * an automation's as they are now (whether it already acted on one is not asked).
 */
export async function previewRule(db: Db, rule: Rule, t: Translate, now = Date.now()): Promise<Preview> {
  const tickets = await db.selectFrom('tickets').innerJoin('statuses', 'statuses.id', 'tickets.status_id')
    .select(['tickets.id', 'tickets.subject', 'tickets.channel', 'statuses.name as status'])
    .where('tickets.binned_at', 'is', null).orderBy('tickets.id', 'desc').limit(TEST_MODE_TICKETS).execute();
  const facts = await loadFacts(db, tickets.map((r) => r.id));
  const conditions = readConditions(rule.conditions);
  const times: Partial<Record<TimeCondition, number | null>> = {};
  const setting = async (key: string) => (await getNumberSetting(db, key)) ?? 0;
  for (const key of TIME_CONDITIONS) if (conditions[key] !== undefined) times[key] = await resolveTime(conditions[key]!, setting);
  const hours = await inBusinessHours(db, now);
  const firsts = new Map<number, string>();
  if (rule.kind === 'trigger' && conditions.contains && tickets.length > 0) {
    const rows = await db.selectFrom('messages').select(['ticket_id', 'body_text'])
      .where('id', 'in', db.selectFrom('messages').select((eb) => eb.fn.min('id').as('id')).where('ticket_id', 'in', tickets.map((r) => r.id)).groupBy('ticket_id'))
      .execute();
    for (const row of rows) firsts.set(row.ticket_id, row.body_text);
  }
  const matches = tickets.filter((ticket) => {
    const f = facts.get(ticket.id);
    if (!f) return false;
    const change = rule.kind === 'trigger'
      ? { event: 'created' as const, via: viaOfChannel(ticket.channel), statusTo: f.status_id, priorityChanged: true, text: firsts.get(ticket.id) ?? '' }
      : null;
    return meets(conditions, f, change, { now, inBusinessHours: hours, times });
  }).map((ticket) => ({ id: ticket.id, subject: ticket.subject, status: ticket.status }));
  return { looked: tickets.length, matches, actions: await describeRuleActions(db, readActions(rule.actions), t) };
}
