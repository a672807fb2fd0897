import type { Generated, Selectable } from 'kysely';

/** Business hours (issue 21): a time zone, weekly hours and holidays (JSON, see sla/clock.ts). */
export interface SlaCalendarsTable {
  id: Generated<number>;
  name: string;
  time_zone: string;
  /** JSON: seven lists of [start, end] minutes after local midnight, Sunday first. */
  week: string;
  /** JSON: [{ date: 'YYYY-MM-DD', yearly: boolean, name }]. */
  holidays: Generated<string>;
  is_default: Generated<number>;
  updated_at: string;
}

/** An SLA policy: ordered by position, first match wins. */
export interface SlaPoliciesTable {
  id: Generated<number>;
  name: string;
  position: number;
  active: Generated<number>;
  /** JSON: PolicyConditions (sla/policies.ts). */
  conditions: Generated<string>;
  first_reply_minutes: number | null;
  first_reply_business: Generated<number>;
  next_reply_minutes: number | null;
  next_reply_business: Generated<number>;
  resolution_minutes: number | null;
  resolution_business: Generated<number>;
  /** null: the desk's default calendar. */
  calendar_id: number | null;
  pause_on_hold: Generated<number>;
  warn_minutes: Generated<number>;
  updated_at: string;
}

/** A ticket's SLA record, copied from its policy when the clock started. */
export interface TicketSlasTable {
  ticket_id: number;
  policy_id: number | null;
  policy_name: string;
  /** JSON snapshot of the calendar in force (sla/clock.ts `Calendar`). */
  calendar: string;
  pause_on_hold: number;
  warn_minutes: number;
  paused_since: string | null;
  /** The earliest due time of a running target (null: none, or paused). */
  next_due_at: string | null;
  started_at: string;
}

export type SlaTarget = 'first_reply' | 'next_reply' | 'resolution';
export type TargetState = 'waiting' | 'running' | 'fulfilled' | 'cancelled';

export interface TicketSlaTargetsTable {
  ticket_id: number;
  target: SlaTarget;
  minutes: number;
  business: number;
  /** waiting: not started (next reply before a customer writes); running; fulfilled; cancelled. */
  state: TargetState;
  started_at: string | null;
  paused_seconds: Generated<number>;
  due_at: string | null;
  fulfilled_at: string | null;
  breached_at: string | null;
  warned_at: string | null;
}

export type SlaCalendarRow = Selectable<SlaCalendarsTable>;
export type SlaPolicyRow = Selectable<SlaPoliciesTable>;
export type TicketSlaTargetRow = Selectable<TicketSlaTargetsTable>;

declare module '../db/schema.js' {
  interface Database {
    sla_calendars: SlaCalendarsTable;
    sla_policies: SlaPoliciesTable;
    ticket_slas: TicketSlasTable;
    ticket_sla_targets: TicketSlaTargetsTable;
  }
}
