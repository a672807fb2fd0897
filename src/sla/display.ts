import type { Db } from '../db/connect.js';
import { HOUR } from '../lib/time.js';
import type { SlaTarget, TargetState } from './schema.js';

/** How a ticket's SLA reads at a glance: breached, due within the hour, on time, or paused. */
export type SlaState = 'ok' | 'soon' | 'breached' | 'paused';

/** The state of a ticket's next due time (null: no running target, nothing to show). */
export function slaState(nextDue: string | null, pausedSince: string | null, now = Date.now()): SlaState | null {
  if (pausedSince !== null) return 'paused';
  if (nextDue === null) return null;
  const due = Date.parse(nextDue);
  if (due <= now) return 'breached';
  return due - now <= HOUR ? 'soon' : 'ok';
}

/** Until when (epoch ms, exclusive) `slaState` read at `now` stays the same: due within the hour, then breached. */
export function slaStateSteadyUntil(nextDue: string | null, pausedSince: string | null, now = Date.now()): number {
  if (pausedSince !== null || nextDue === null) return Infinity;
  const due = Date.parse(nextDue);
  if (due <= now) return Infinity;
  return due - now <= HOUR ? due : due - HOUR;
}

export interface SlaPanelTarget {
  target: SlaTarget;
  state: TargetState;
  /** What the target shows: on time / due soon / breached while running, met (late) once met. */
  shown: SlaState | 'fulfilled' | 'fulfilledLate' | 'waiting' | 'cancelled';
  dueAt: string | null;
  fulfilledAt: string | null;
  minutes: number;
  business: boolean;
}

export interface SlaPanel {
  policyName: string;
  state: SlaState | null;
  nextDueAt: string | null;
  targets: SlaPanelTarget[];
}

const ORDER: Record<SlaTarget, number> = { first_reply: 0, next_reply: 1, resolution: 2 };

/** The ticket page's SLA panel: the policy, the next due time and each target's state (null: no SLA). */
export async function slaPanel(db: Db, ticketId: number, now = Date.now()): Promise<SlaPanel | null> {
  const sla = await db.selectFrom('ticket_slas').selectAll().where('ticket_id', '=', ticketId).executeTakeFirst();
  if (!sla) return null;
  const rows = await db.selectFrom('ticket_sla_targets').selectAll().where('ticket_id', '=', ticketId).execute();
  const targets = rows.sort((a, b) => ORDER[a.target] - ORDER[b.target]).map((row): SlaPanelTarget => {
    let shown: SlaPanelTarget['shown'];
    if (row.state === 'running') shown = slaState(row.due_at, sla.paused_since, now) ?? 'ok';
    else if (row.state === 'fulfilled') shown = row.breached_at !== null ? 'fulfilledLate' : 'fulfilled';
    else shown = row.state;
    return { target: row.target, state: row.state, shown, dueAt: row.due_at, fulfilledAt: row.fulfilled_at, minutes: row.minutes, business: row.business === 1 };
  });
  return { policyName: sla.policy_name, state: slaState(sla.next_due_at, sla.paused_since, now), nextDueAt: sla.next_due_at, targets };
}
