import { untilChanged } from '../db/change-cache.js';
import type { Db, Trx } from '../db/connect.js';
import type { Consumer } from '../events/consumer.js';
import { fromImport } from '../events/record.js';
import type { StreamEvent } from '../events/record.js';
import type { Translate } from '../i18n.js';
import { Catalogue } from '../i18n.js';
import { changeTicket } from '../kernel/index.js';
import { nowIso } from '../lib/time.js';
import { sideOf } from '../policy/can.js';
import { runActions } from './actions.js';
import { inBusinessHours, loadFacts, meets, readConditions, viaOfChannel, type ChangeFacts, type RuleEvent, type Via } from './conditions.js';

/** How many rounds of triggers one change may set off: the events a trigger's actions write are one deeper. */
export const MAX_CHAIN_DEPTH = 5;

/** History lines that are the rules' own log, no change to the ticket: no trigger runs on them. */
const LOG_KINDS = ['trigger', 'automation', 'rule_failed', 'rule_stopped'];

let fallback: Translate | null = null;

/**
 * Triggers (issue 21, point 3): on each event, the enabled triggers in order, each on the ticket as
 * the ones before left it. Transactional: what they do commits with the consumer's position, once.
 * Loops cannot happen: the events a trigger's actions write belong to the chain of the event that
 * woke it (`rule_chains`), a trigger never fires twice on one chain, and a chain stops at
 * MAX_CHAIN_DEPTH (a history line says so). The mails rules ask for (`notify.ruleMail`, from
 * triggers and automations alike) are composed and queued by the notifications consumer
 * (notify/rule-mail.ts), like every other ticket mail.
 */
/** Whether any trigger is enabled: remembered until the database changes (asked for every event). */
const anyTrigger = untilChanged(async (db: Db, _: '') =>
  (await db.selectFrom('rules').select('id').where('kind', '=', 'trigger').where('enabled', '=', 1).limit(1).executeTakeFirst()) !== undefined, 1);

export const triggers: Consumer = {
  name: 'rules.triggers',
  transactional: true,
  async passes(db, event) {
    return event.ticketId === null || fromImport(event) || !(await anyTrigger(db, ''));
  },
  async handle(trx, event, context) {
    const ticketId = event.ticketId;
    // An import is old history: no trigger acts (or mails) on it.
    if (ticketId === null || fromImport(event)) return;
    const rules = await trx.selectFrom('rules').selectAll().where('kind', '=', 'trigger').where('enabled', '=', 1)
      .orderBy('position').orderBy('id').execute();
    if (rules.length === 0) return;
    const change = await changeOf(trx, event);
    if (!change) return;
    const candidates = rules.filter((rule) => (JSON.parse(rule.events) as string[]).includes(change.event))
      .map((rule) => ({ rule, conditions: readConditions(rule.conditions) }));
    if (candidates.length === 0) return;
    const chain = await trx.selectFrom('rule_chains').selectAll().where('event_id', '=', event.id).executeTakeFirst();
    const depth = chain?.depth ?? 0;
    const fired = new Set<number>(chain ? JSON.parse(chain.fired) as number[] : []);
    const t = context.mail?.translator('en') ?? (fallback ??= new Catalogue().translator('en'));
    const now = nowIso();
    // The calendar's clock only for a rule that asks (it cost ~0.7 ms of every new ticket's event).
    const hours = candidates.some(({ conditions }) => conditions.businessHours) && await inBusinessHours(trx, Date.now());
    const before = await lastEventId(trx);
    const stopped: string[] = [];
    for (const { rule, conditions } of candidates) {
      if (fired.has(rule.id)) continue;
      const facts = (await loadFacts(trx, [ticketId])).get(ticketId);
      if (!facts) return;
      if (!meets(conditions, facts, change, { now: Date.now(), inBusinessHours: hours, times: {} })) continue;
      if (depth >= MAX_CHAIN_DEPTH) {
        stopped.push(rule.name);
        continue;
      }
      // Fired, whether or not it could do everything: a failing trigger is not retried on its own chain.
      await runActions(trx, rule, ticketId, t, now);
      fired.add(rule.id);
    }
    if (stopped.length > 0) {
      await changeTicket(trx, null, ticketId, { history: [{ kind: 'rule_stopped', from: null, to: stopped.join(', ') }], at: now });
    }
    // Every event the triggers' actions wrote carries the chain on, one round deeper.
    const written = await trx.selectFrom('events').select('id').where('id', '>', before).execute();
    if (written.length > 0) {
      const firedJson = JSON.stringify([...fired]);
      await trx.insertInto('rule_chains').values(written.map((row) => ({ event_id: row.id, depth: depth + 1, fired: firedJson }))).execute();
    }
  },
};

async function lastEventId(trx: Trx): Promise<number> {
  const row = await trx.selectFrom('events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
  return Number(row?.id ?? 0);
}

/** What kind of change the event is, for triggers; null when triggers do not run on it. */
async function changeOf(trx: Trx, event: StreamEvent): Promise<ChangeFacts | null> {
  const p = event.payload;
  if (event.kind === 'ticket.created' || (event.kind === 'ticket.changed' && p.announce)) {
    // A customer's draft is created when it is sent (its `announce`), not when it is first saved.
    const ticket = await trx.selectFrom('tickets').innerJoin('statuses', 'statuses.id', 'tickets.status_id')
      .select(['tickets.channel', 'statuses.category']).where('tickets.id', '=', event.ticketId!).executeTakeFirst();
    if (!ticket || ticket.category === 'draft') return null;
    const first = await trx.selectFrom('messages').select('body_text').where('ticket_id', '=', event.ticketId!).orderBy('id').limit(1).executeTakeFirst();
    return { event: 'created', via: viaOfChannel(ticket.channel), statusTo: null, priorityChanged: false, text: first?.body_text ?? '' };
  }
  if (event.kind === 'ticket.changed') {
    if (p.workflow) return null;
    const changes = (p.changes ?? []) as { kind: string }[];
    const set = (p.set ?? {}) as Record<string, unknown>;
    if (changes.length > 0 && changes.every((c) => LOG_KINDS.includes(c.kind)) && Object.keys(set).length === 0) return null;
    const author = event.actorId === null ? null : await trx.selectFrom('users').select('role').where('id', '=', event.actorId).executeTakeFirst();
    return {
      event: 'changed', via: author ? (sideOf(author) === 'staff' ? 'agent' : 'portal') : null,
      statusTo: typeof set.status_id === 'number' ? set.status_id : null, priorityChanged: 'priority' in set, text: '',
    };
  }
  if (event.kind === 'message.added') {
    if (typeof p.messageId !== 'number') return null;
    const message = await trx.selectFrom('messages').leftJoin('users', 'users.id', 'messages.author_id')
      .select(['messages.kind', 'messages.via', 'messages.body_text', 'users.role']).where('messages.id', '=', p.messageId).executeTakeFirst();
    if (!message) return null;
    const staff = message.role !== null && sideOf({ role: message.role }) === 'staff';
    let kind: RuleEvent;
    if (message.kind === 'note') kind = 'note';
    else if (message.kind === 'reply' || message.kind === 'update' || message.kind === 'chat') {
      if (message.role === null) return null;
      kind = staff ? 'agent_reply' : 'customer_reply';
    } else return null;
    const via: Via | null = message.via === 'email' ? 'mail' : message.via === 'api' ? 'api' : message.role === null ? null : staff ? 'agent' : 'portal';
    return { event: kind, via, statusTo: null, priorityChanged: false, text: message.body_text };
  }
  return null;
}
