import type { Db } from '../db/connect.js';
import type { Priority } from '../db/schema.js';
import { ALWAYS, type Calendar, type Holiday, type Range } from './clock.js';
import type { SlaCalendarRow, SlaPolicyRow, SlaTarget } from './schema.js';

/** What a policy asks of a ticket; an empty list (or none) matches anything. */
export interface PolicyConditions {
  priorities?: Priority[];
  typeIds?: number[];
  groupIds?: number[];
  organizationIds?: number[];
  brandIds?: number[];
  channels?: string[];
  /** The ticket carries at least one of these tags. */
  tags?: string[];
}

/** The facts of a ticket a policy looks at. */
export interface TicketFacts {
  priority: string;
  type_id: number;
  group_id: number | null;
  organization_id: number | null;
  brand_id: number;
  channel: string;
  tags: string[];
}

export const TARGETS: readonly SlaTarget[] = ['first_reply', 'next_reply', 'resolution'];

export function readConditions(json: string): PolicyConditions {
  try {
    const value = JSON.parse(json) as unknown;
    return value && typeof value === 'object' ? value as PolicyConditions : {};
  } catch {
    return {};
  }
}

function among<T>(list: readonly T[] | undefined, value: T | null): boolean {
  return !list || list.length === 0 || (value !== null && list.includes(value));
}

/** Whether a ticket meets every condition of a policy. */
export function matches(conditions: PolicyConditions, ticket: TicketFacts): boolean {
  return among(conditions.priorities as string[] | undefined, ticket.priority)
    && among(conditions.typeIds, ticket.type_id)
    && among(conditions.groupIds, ticket.group_id)
    && among(conditions.organizationIds, ticket.organization_id)
    && among(conditions.brandIds, ticket.brand_id)
    && among(conditions.channels, ticket.channel)
    && (!conditions.tags || conditions.tags.length === 0 || conditions.tags.some((tag) => ticket.tags.includes(tag)));
}

/** The active policies in order (position, then id). */
export function listPolicies(db: Db, options: { activeOnly?: boolean } = {}): Promise<SlaPolicyRow[]> {
  let query = db.selectFrom('sla_policies').selectAll();
  if (options.activeOnly) query = query.where('active', '=', 1);
  return query.orderBy('position').orderBy('id').execute();
}

/** The first active policy the ticket meets, or undefined. */
export async function policyFor(db: Db, ticket: TicketFacts): Promise<SlaPolicyRow | undefined> {
  return (await listPolicies(db, { activeOnly: true })).find((p) => matches(readConditions(p.conditions), ticket));
}

/** The minutes a policy gives a target, and whether they are business hours. */
export function targetOf(policy: SlaPolicyRow, target: SlaTarget): { minutes: number | null; business: boolean } {
  return { minutes: policy[`${target}_minutes`], business: policy[`${target}_business`] === 1 };
}

export function calendarOf(row: Pick<SlaCalendarRow, 'time_zone' | 'week' | 'holidays'>): Calendar {
  const week = JSON.parse(row.week) as Range[][];
  const holidays = JSON.parse(row.holidays) as Holiday[];
  return { timeZone: row.time_zone, week: Array.from({ length: 7 }, (_, i) => week[i] ?? []), holidays };
}

export function readCalendarSnapshot(json: string): Calendar {
  try {
    return JSON.parse(json) as Calendar;
  } catch {
    return ALWAYS;
  }
}

/** The calendar a policy counts in: its own, else the desk's default, else round the clock. */
export async function calendarFor(db: Db, policy: Pick<SlaPolicyRow, 'calendar_id'>): Promise<Calendar> {
  const own = policy.calendar_id === null ? undefined
    : await db.selectFrom('sla_calendars').selectAll().where('id', '=', policy.calendar_id).executeTakeFirst();
  const row = own ?? await db.selectFrom('sla_calendars').selectAll().where('is_default', '=', 1).orderBy('id').limit(1).executeTakeFirst();
  return row ? calendarOf(row) : ALWAYS;
}
