import type { Trx } from '../db/connect.js';
import type { StatusCategory } from '../db/schema.js';
import { changeTicket } from '../kernel/index.js';
import { sideOf } from '../policy/can.js';
import { dueAt, pauseClock, resumeClock, type Calendar, type Clock } from './clock.js';
import { calendarFor, policyFor, readCalendarSnapshot, TARGETS, targetOf, type TicketFacts } from './policies.js';
import type { SlaTarget, TicketSlaTargetRow } from './schema.js';

// A ticket's SLA record, moved on by the stream's events (consumer.ts) and the clock job (job.ts).
// Every time is the event's own (`at`), so a replay reaches the same record.

const iso = (ms: number) => new Date(ms).toISOString();
const ms = (text: string) => Date.parse(text);

interface TicketState extends TicketFacts {
  id: number;
  created_at: string;
  first_response_at: string | null;
  category: StatusCategory;
  created_by_staff: boolean;
}

async function ticketState(trx: Trx, ticketId: number): Promise<TicketState | undefined> {
  const row = await trx.selectFrom('tickets').innerJoin('statuses', 'statuses.id', 'tickets.status_id')
    .leftJoin('users', 'users.id', 'tickets.created_by_id')
    .select(['tickets.id', 'tickets.priority', 'tickets.type_id', 'tickets.group_id', 'tickets.organization_id', 'tickets.brand_id',
      'tickets.channel', 'tickets.created_at', 'tickets.first_response_at', 'tickets.requester_id', 'tickets.created_by_id',
      'statuses.category', 'users.role'])
    .where('tickets.id', '=', ticketId).executeTakeFirst();
  if (!row) return undefined;
  const tags = await trx.selectFrom('ticket_tags').innerJoin('tags', 'tags.id', 'ticket_tags.tag_id')
    .select('tags.name').where('ticket_tags.ticket_id', '=', ticketId).execute();
  const createdByStaff = row.created_by_id !== null && row.created_by_id !== row.requester_id
    && row.role !== null && sideOf({ role: row.role }) === 'staff';
  return { ...row, tags: tags.map((t) => t.name), created_by_staff: createdByStaff };
}

const DONE: readonly StatusCategory[] = ['solved', 'closed', 'cancelled'];

function pauses(category: StatusCategory, pauseOnHold: boolean): boolean {
  return category === 'pending' || (pauseOnHold && category === 'on_hold');
}

/**
 * Start the ticket's record from the first policy it meets (nothing when none does, when it has a
 * record already, or when it is done). Targets and calendar are copied: later policy edits leave
 * it alone. The clocks count from the ticket's creation.
 */
export async function startRecord(trx: Trx, ticketId: number, at: string): Promise<boolean> {
  if (!(await trx.selectFrom('sla_policies').select('id').where('active', '=', 1).limit(1).executeTakeFirst())) return false;
  if (await trx.selectFrom('ticket_slas').select('ticket_id').where('ticket_id', '=', ticketId).executeTakeFirst()) return false;
  const ticket = await ticketState(trx, ticketId);
  if (!ticket || DONE.includes(ticket.category)) return false;
  const policy = await policyFor(trx, ticket);
  if (!policy) return false;
  const calendar = await calendarFor(trx, policy);
  const paused = pauses(ticket.category, policy.pause_on_hold === 1);
  await trx.insertInto('ticket_slas').values({
    ticket_id: ticketId, policy_id: policy.id, policy_name: policy.name, calendar: JSON.stringify(calendar),
    pause_on_hold: policy.pause_on_hold, warn_minutes: policy.warn_minutes, paused_since: paused ? at : null, next_due_at: null, started_at: at,
  }).execute();
  for (const target of TARGETS) {
    const { minutes, business } = targetOf(policy, target);
    if (minutes === null) continue;
    let state: TicketSlaTargetRow['state'] = 'running';
    let fulfilledAt: string | null = null;
    if (target === 'next_reply') state = 'waiting';
    if (target === 'first_reply' && ticket.created_by_staff) state = 'cancelled';
    else if (target === 'first_reply' && ticket.first_response_at !== null) [state, fulfilledAt] = ['fulfilled', ticket.first_response_at];
    await trx.insertInto('ticket_sla_targets').values({
      ticket_id: ticketId, target, minutes, business: business ? 1 : 0, state,
      started_at: state === 'waiting' || state === 'cancelled' ? null : ticket.created_at,
      paused_seconds: 0, due_at: null, fulfilled_at: fulfilledAt, breached_at: null, warned_at: null,
    }).execute();
  }
  await refresh(trx, ticketId);
  return true;
}

interface SlaRecord { calendar: Calendar; pausedSince: string | null; pauseOnHold: boolean; targets: TicketSlaTargetRow[] }

async function loadRecord(trx: Trx, ticketId: number): Promise<SlaRecord | undefined> {
  const sla = await trx.selectFrom('ticket_slas').selectAll().where('ticket_id', '=', ticketId).executeTakeFirst();
  if (!sla) return undefined;
  const targets = await trx.selectFrom('ticket_sla_targets').selectAll().where('ticket_id', '=', ticketId).execute();
  return { calendar: readCalendarSnapshot(sla.calendar), pausedSince: sla.paused_since, pauseOnHold: sla.pause_on_hold === 1, targets };
}

function clockOf(target: TicketSlaTargetRow, pausedSince: string | null): Clock {
  return {
    startedAt: ms(target.started_at!), minutes: target.minutes, business: target.business === 1,
    pausedMs: target.paused_seconds * 1000, pausedSince: pausedSince === null ? null : ms(pausedSince),
  };
}

/** Recompute the running targets' due times and the record's next due time. */
export async function refresh(trx: Trx, ticketId: number): Promise<void> {
  const record = await loadRecord(trx, ticketId);
  if (!record) return;
  let next: string | null = null;
  for (const target of record.targets) {
    if (target.state !== 'running') continue;
    const due = dueAt(clockOf(target, record.pausedSince), record.calendar);
    const dueText = due === null ? null : iso(due);
    if (dueText !== target.due_at && record.pausedSince === null) {
      await trx.updateTable('ticket_sla_targets').set({ due_at: dueText }).where('ticket_id', '=', ticketId).where('target', '=', target.target).execute();
    }
    const effective = record.pausedSince !== null ? null : dueText;
    if (effective !== null && (next === null || effective < next)) next = effective;
  }
  await trx.updateTable('ticket_slas').set({ next_due_at: next }).where('ticket_id', '=', ticketId).execute();
}

async function setTarget(trx: Trx, ticketId: number, target: SlaTarget, values: Partial<Omit<TicketSlaTargetRow, 'ticket_id' | 'target'>>) {
  await trx.updateTable('ticket_sla_targets').set(values).where('ticket_id', '=', ticketId).where('target', '=', target).execute();
}

/**
 * A history line (and its `ticket.changed` event) through the kernel: `sla_first_reply_fulfilled`,
 * `sla_resolution_breached`, `sla_next_reply_warning`..., naming the policy.
 */
async function historyLine(trx: Trx, ticketId: number, what: 'fulfilled' | 'breached' | 'warning', target: SlaTarget, at: string,
  notify?: { slaWarning: { target: string; dueAt: string } }) {
  const sla = await trx.selectFrom('ticket_slas').select('policy_name').where('ticket_id', '=', ticketId).executeTakeFirst();
  await changeTicket(trx, null, ticketId, {
    history: [{ kind: `sla_${target}_${what}`, from: null, to: sla?.policy_name ?? null }], at, ...(notify ? { notify } : {}),
  });
}

/** A running target met: fulfilled now, and breached first if its due time passed unnoticed. */
async function fulfil(trx: Trx, ticketId: number, record: SlaRecord, target: TicketSlaTargetRow, at: string): Promise<void> {
  // While paused, the due time is what it would be if the clock ran again now.
  const clock = clockOf(target, record.pausedSince);
  const due = dueAt(clock.pausedSince === null ? clock : resumeClock(clock, ms(at), record.calendar), record.calendar);
  const dueText = due === null ? target.due_at : iso(due);
  if (target.breached_at === null && dueText !== null && dueText < at) {
    await setTarget(trx, ticketId, target.target, { breached_at: dueText });
    await historyLine(trx, ticketId, 'breached', target.target, at);
  }
  await setTarget(trx, ticketId, target.target, { state: 'fulfilled', fulfilled_at: at, ...(dueText ? { due_at: dueText } : {}) });
  await historyLine(trx, ticketId, 'fulfilled', target.target, at);
}

/** Staff answered publicly: the first reply and a running next reply are met. */
export async function staffReplied(trx: Trx, ticketId: number, at: string): Promise<void> {
  const record = await loadRecord(trx, ticketId);
  if (!record) return;
  for (const target of record.targets) {
    if ((target.target === 'first_reply' || target.target === 'next_reply') && target.state === 'running') await fulfil(trx, ticketId, record, target, at);
  }
  await refresh(trx, ticketId);
}

/** The customer wrote: once the first reply is behind us, the next reply's clock starts (unless running). */
export async function customerWrote(trx: Trx, ticketId: number, at: string): Promise<void> {
  const record = await loadRecord(trx, ticketId);
  if (!record) return;
  const first = record.targets.find((t) => t.target === 'first_reply');
  if (first && first.state === 'running') return;
  const next = record.targets.find((t) => t.target === 'next_reply');
  if (!next || next.state === 'running') return;
  const resolution = record.targets.find((t) => t.target === 'resolution');
  if (resolution && resolution.state !== 'running') return;
  // Time already spent paused does not count against a clock that starts now.
  await setTarget(trx, ticketId, 'next_reply', {
    state: 'running', started_at: record.pausedSince ?? at, paused_seconds: 0, due_at: null, fulfilled_at: null, breached_at: null, warned_at: null,
  });
  await refresh(trx, ticketId);
}

/** The ticket moved to a status of this category: done (resolution met), paused, or running again. */
export async function statusChanged(trx: Trx, ticketId: number, category: StatusCategory, at: string): Promise<void> {
  const record = await loadRecord(trx, ticketId);
  if (!record) return;
  if (DONE.includes(category)) {
    for (const target of record.targets) {
      if (target.state !== 'running') continue;
      if (target.target === 'resolution') await fulfil(trx, ticketId, record, target, at);
      else await setTarget(trx, ticketId, target.target, { state: 'cancelled' });
    }
    await trx.updateTable('ticket_slas').set({ paused_since: null }).where('ticket_id', '=', ticketId).execute();
  } else if (pauses(category, record.pauseOnHold)) {
    if (record.pausedSince === null) await trx.updateTable('ticket_slas').set({ paused_since: at }).where('ticket_id', '=', ticketId).execute();
  } else if (record.pausedSince !== null) {
    for (const target of record.targets) {
      if (target.state !== 'running') continue;
      const resumed = resumeClock(pauseClock(clockOf(target, record.pausedSince), ms(record.pausedSince)), ms(at), record.calendar);
      await setTarget(trx, ticketId, target.target, { paused_seconds: Math.round(resumed.pausedMs / 1000) });
    }
    await trx.updateTable('ticket_slas').set({ paused_since: null }).where('ticket_id', '=', ticketId).execute();
  }
  await refresh(trx, ticketId);
}

/** The job's breach: a running target past its due time is marked, once, with its history line. */
export async function markBreached(trx: Trx, ticketId: number, target: SlaTarget, now: string): Promise<boolean> {
  const row = await trx.selectFrom('ticket_sla_targets').innerJoin('ticket_slas', 'ticket_slas.ticket_id', 'ticket_sla_targets.ticket_id')
    .select(['ticket_sla_targets.due_at', 'ticket_sla_targets.breached_at', 'ticket_sla_targets.state', 'ticket_slas.paused_since'])
    .where('ticket_sla_targets.ticket_id', '=', ticketId).where('ticket_sla_targets.target', '=', target).executeTakeFirst();
  if (!row || row.state !== 'running' || row.breached_at !== null || row.paused_since !== null || row.due_at === null || row.due_at > now) return false;
  await setTarget(trx, ticketId, target, { breached_at: row.due_at });
  await historyLine(trx, ticketId, 'breached', target, now);
  return true;
}

/** The job's warning: once per running target, the assignee (or group) is mailed. */
export async function markWarned(trx: Trx, ticketId: number, target: SlaTarget, now: string): Promise<boolean> {
  const row = await trx.selectFrom('ticket_sla_targets').innerJoin('ticket_slas', 'ticket_slas.ticket_id', 'ticket_sla_targets.ticket_id')
    .select(['ticket_sla_targets.due_at', 'ticket_sla_targets.warned_at', 'ticket_sla_targets.state', 'ticket_slas.paused_since', 'ticket_slas.warn_minutes'])
    .where('ticket_sla_targets.ticket_id', '=', ticketId).where('ticket_sla_targets.target', '=', target).executeTakeFirst();
  if (!row || row.state !== 'running' || row.warned_at !== null || row.paused_since !== null || row.due_at === null || row.warn_minutes <= 0) return false;
  if (row.due_at <= now || ms(row.due_at) - row.warn_minutes * 60_000 > ms(now)) return false;
  await setTarget(trx, ticketId, target, { warned_at: now });
  await historyLine(trx, ticketId, 'warning', target, now, { slaWarning: { target, dueAt: row.due_at } });
  return true;
}
