import type { Db } from '../db/connect.js';
import type { Priority, StatusCategory } from '../db/schema.js';
import { workingTimeBetween } from '../sla/clock.js';
import { calendarFor } from '../sla/policies.js';

// What a rule asks of a ticket (and, for a trigger, of the change that woke it). Every condition
// set must hold; an empty list asks nothing. Pure functions over facts read once per ticket.

/** What a trigger runs on. */
export const RULE_EVENTS = ['created', 'changed', 'customer_reply', 'agent_reply', 'note'] as const;
export type RuleEvent = (typeof RULE_EVENTS)[number];

/** How the change came in: a mail, the portal, the agent desk, the API. */
export const VIAS = ['mail', 'portal', 'agent', 'api'] as const;
export type Via = (typeof VIAS)[number];

export const CATEGORIES: readonly StatusCategory[] = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed', 'cancelled'];

/** A time in hours, or (the default automations) the days of an auto-close setting. */
export type TimeValue = number | { setting: string };

/** "Field KEY is (or is not) VALUE": a custom field's stored value (a choice's value, '1'/'0' for a checkbox, else the text). */
export interface FieldCondition {
  key: string;
  op: 'is' | 'not';
  value: string;
}

export interface RuleConditions {
  statusIds?: number[];
  categories?: StatusCategory[];
  priorities?: Priority[];
  typeIds?: number[];
  groupIds?: number[];
  organizationIds?: number[];
  brandIds?: number[];
  /** Every one must hold. */
  fields?: FieldCondition[];
  assigned?: 'yes' | 'no';
  hasTags?: string[];
  lacksTags?: string[];
  /** Now, in the desk's default business hours (the SLA calendar) or outside them. */
  businessHours?: 'in' | 'out';
  // Triggers: the change.
  statusChangedTo?: number[];
  priorityChanged?: boolean;
  via?: Via[];
  /** In the subject, or the text of the message the event added (the first one, for a new ticket). */
  contains?: string;
  // Automations: time.
  /** No activity for this long. */
  idleHours?: TimeValue;
  /** Solved this long ago. */
  solvedHours?: TimeValue;
  /** Nobody assigned, and opened this long ago. */
  unassignedHours?: TimeValue;
  /** The requester was reminded this long ago and nothing happened since. */
  remindedHours?: TimeValue;
  /** No reminder since the last activity. */
  unreminded?: boolean;
}

export const TIME_CONDITIONS = ['idleHours', 'solvedHours', 'unassignedHours', 'remindedHours'] as const;
export type TimeCondition = (typeof TIME_CONDITIONS)[number];

/** A ticket as conditions read it. */
export interface TicketFacts {
  id: number;
  subject: string;
  status_id: number;
  status_category: StatusCategory;
  priority: Priority;
  type_id: number;
  group_id: number | null;
  assignee_id: number | null;
  organization_id: number | null;
  brand_id: number;
  created_at: string;
  updated_at: string;
  last_activity_at: string;
  solved_at: string | null;
  tags: string[];
  /** Custom field values by key; a checkbox without a value is '0' (unticked). */
  fields: Record<string, string>;
  /** The latest reminder's time (a `reminder` history line). */
  reminded_at: string | null;
}

/** The change a trigger runs on. */
export interface ChangeFacts {
  event: RuleEvent;
  via: Via | null;
  /** The status set by the change, if it set one. */
  statusTo: number | null;
  priorityChanged: boolean;
  /** The added message's text ('' for a change). */
  text: string;
}

export function readConditions(json: string): RuleConditions {
  try {
    const value = JSON.parse(json) as unknown;
    return value && typeof value === 'object' ? (value as RuleConditions) : {};
  } catch {
    return {};
  }
}

const HOUR = 3_600_000;

/** An auto-close setting's days (0: off). The grace period falls back on the waiting period, and is off with it. */
export type SettingReader = (key: string) => Promise<number>;

/** A time condition in milliseconds, or null when it is off (a setting at 0). */
export async function resolveTime(value: TimeValue, setting: SettingReader): Promise<number | null> {
  if (typeof value === 'number') return value > 0 ? value * HOUR : null;
  let days = await setting(value.setting);
  if (value.setting === 'autoclose.pending_grace_days') {
    const pending = await setting('autoclose.pending_days');
    days = pending > 0 ? days || pending : 0;
  }
  return days > 0 ? days * 24 * HOUR : null;
}

const some = <T>(list: readonly T[] | undefined): list is readonly T[] => list !== undefined && list.length > 0;

/** Text is compared whole, without surrounding spaces and case ("ACME" is "acme"); no value is ''. */
const sameText = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

export function fieldHolds(condition: FieldCondition, fields: Readonly<Record<string, string>>): boolean {
  return sameText(fields[condition.key] ?? '', condition.value) === (condition.op === 'is');
}

/**
 * Whether the ticket (and the change, for a trigger) meets the conditions at `now`. Time conditions
 * come resolved (`times`, ms; null: off, never met). Without a change (test mode, automations) the
 * change's conditions are read from the ticket as it is: "changed to X" as "is X".
 */
export function meets(c: RuleConditions, ticket: TicketFacts, change: ChangeFacts | null, context: {
  now: number; inBusinessHours: boolean; times: Partial<Record<TimeCondition, number | null>>;
}): boolean {
  if (some(c.statusIds) && !c.statusIds.includes(ticket.status_id)) return false;
  if (some(c.categories) && !c.categories.includes(ticket.status_category)) return false;
  if (some(c.priorities) && !c.priorities.includes(ticket.priority)) return false;
  if (some(c.typeIds) && !c.typeIds.includes(ticket.type_id)) return false;
  if (some(c.groupIds) && (ticket.group_id === null || !c.groupIds.includes(ticket.group_id))) return false;
  if (some(c.organizationIds) && (ticket.organization_id === null || !c.organizationIds.includes(ticket.organization_id))) return false;
  if (some(c.brandIds) && !c.brandIds.includes(ticket.brand_id)) return false;
  if (some(c.fields) && !c.fields.every((f) => fieldHolds(f, ticket.fields))) return false;
  if (c.assigned === 'yes' && ticket.assignee_id === null) return false;
  if (c.assigned === 'no' && ticket.assignee_id !== null) return false;
  if (some(c.hasTags) && !c.hasTags.every((tag) => ticket.tags.includes(tag))) return false;
  if (some(c.lacksTags) && c.lacksTags.some((tag) => ticket.tags.includes(tag))) return false;
  if (c.businessHours && (c.businessHours === 'in') !== context.inBusinessHours) return false;
  if (some(c.statusChangedTo)) {
    const to = change ? change.statusTo : ticket.status_id;
    if (to === null || !c.statusChangedTo.includes(to)) return false;
  }
  if (c.priorityChanged && change && !change.priorityChanged) return false;
  if (some(c.via) && change && (change.via === null || !c.via.includes(change.via))) return false;
  if (c.contains) {
    const needle = c.contains.toLowerCase();
    if (!`${ticket.subject}\n${change?.text ?? ''}`.toLowerCase().includes(needle)) return false;
  }
  const before = (at: string | null, key: TimeCondition) => {
    if (!(key in context.times)) return true;
    const ms = context.times[key];
    return ms !== null && ms !== undefined && at !== null && Date.parse(at) <= context.now - ms;
  };
  if (c.idleHours !== undefined && !before(ticket.last_activity_at, 'idleHours')) return false;
  if (c.solvedHours !== undefined && !before(ticket.solved_at, 'solvedHours')) return false;
  if (c.unassignedHours !== undefined && (ticket.assignee_id !== null || !before(ticket.created_at, 'unassignedHours'))) return false;
  if (c.remindedHours !== undefined) {
    const reminded = ticket.reminded_at !== null && ticket.reminded_at >= ticket.last_activity_at;
    if (!reminded || !before(ticket.reminded_at, 'remindedHours')) return false;
  }
  if (c.unreminded && ticket.reminded_at !== null && ticket.reminded_at >= ticket.last_activity_at) return false;
  return true;
}

/** The tickets' facts, by id (binned tickets are left out). */
export async function loadFacts(db: Db, ids: readonly number[]): Promise<Map<number, TicketFacts>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('tickets').innerJoin('statuses', 'statuses.id', 'tickets.status_id')
    .select(['tickets.id', 'tickets.subject', 'tickets.status_id', 'statuses.category as status_category', 'tickets.priority', 'tickets.type_id',
      'tickets.group_id', 'tickets.assignee_id', 'tickets.organization_id', 'tickets.brand_id', 'tickets.created_at', 'tickets.updated_at', 'tickets.last_activity_at',
      'tickets.solved_at'])
    .select((eb) => eb.selectFrom('ticket_events').select((e) => e.fn.max('created_at').as('at'))
      .whereRef('ticket_events.ticket_id', '=', 'tickets.id').where('ticket_events.kind', '=', 'reminder').as('reminded_at'))
    .where('tickets.id', 'in', ids).where('tickets.binned_at', 'is', null).execute();
  const tags = await db.selectFrom('ticket_tags').innerJoin('tags', 'tags.id', 'ticket_tags.tag_id')
    .select(['ticket_tags.ticket_id', 'tags.name']).where('ticket_tags.ticket_id', 'in', ids).execute();
  const values = await db.selectFrom('ticket_field_values').innerJoin('fields', 'fields.id', 'ticket_field_values.field_id')
    .select(['ticket_field_values.ticket_id', 'fields.key', 'ticket_field_values.value']).where('ticket_field_values.ticket_id', 'in', ids).execute();
  const unticked = Object.fromEntries((await db.selectFrom('fields').select('key').where('kind', '=', 'checkbox').execute()).map((f) => [f.key, '0']));
  const facts = new Map<number, TicketFacts>();
  for (const row of rows) {
    facts.set(row.id, { ...row, priority: row.priority as Priority, reminded_at: (row.reminded_at as string | null) ?? null, tags: [], fields: { ...unticked } });
  }
  for (const tag of tags) facts.get(tag.ticket_id)?.tags.push(tag.name);
  for (const value of values) {
    const ticket = facts.get(value.ticket_id);
    if (ticket) ticket.fields[value.key] = value.value;
  }
  return facts;
}

/** Whether `now` falls in the desk's default business hours (the default SLA calendar; always, without one). */
export async function inBusinessHours(db: Db, now: number): Promise<boolean> {
  const calendar = await calendarFor(db, { calendar_id: null });
  return workingTimeBetween(now, now + 60_000, calendar) > 0;
}

/** A ticket's channel as a trigger's "via". */
export function viaOfChannel(channel: string): Via | null {
  if (channel === 'email') return 'mail';
  if (channel === 'portal' || channel === 'agent' || channel === 'api') return channel;
  return null;
}
