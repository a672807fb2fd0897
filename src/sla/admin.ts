import { recordAudit } from '../admin/audit.js';
import type { Db, Trx } from '../db/connect.js';
import { Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { can } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import type { PolicyConditions } from './policies.js';
import type { CalendarInput, PolicyInput } from './schemas.js';

// The admin's verbs for business hours and SLA policies. A policy edit changes only tickets whose
// clocks start afterwards: a running ticket keeps the copy in its record (engine.ts).

function calendarValues(input: CalendarInput) {
  const week = [input.day0, input.day1, input.day2, input.day3, input.day4, input.day5, input.day6];
  if (week.every((day) => day.length === 0)) throw new Invalid({ day1: 'sla.errors.noHours' }, 'sla.errors.noHours');
  return { name: input.name, time_zone: input.timeZone, week: JSON.stringify(week), holidays: JSON.stringify(input.holidays), updated_at: nowIso() };
}

async function nameTaken(trx: Trx, table: 'sla_calendars' | 'sla_policies', name: string, except: number | null): Promise<void> {
  let query = trx.selectFrom(table).select('id').where('name', '=', name);
  if (except !== null) query = query.where('id', '!=', except);
  if (await query.executeTakeFirst()) throw new Invalid({ name: 'sla.errors.nameTaken' }, 'sla.errors.nameTaken');
}

async function makeDefault(trx: Trx, id: number, isDefault: boolean): Promise<void> {
  if (!isDefault) return;
  await trx.updateTable('sla_calendars').set({ is_default: 0 }).where('id', '!=', id).execute();
  await trx.updateTable('sla_calendars').set({ is_default: 1 }).where('id', '=', id).execute();
}

export async function createCalendar(db: Db, actor: Actor, input: CalendarInput): Promise<number> {
  if (!can(actor, 'sla.manage')) throw new Forbidden();
  return db.transaction().execute(async (trx) => {
    await nameTaken(trx, 'sla_calendars', input.name, null);
    const row = await trx.insertInto('sla_calendars').values({ ...calendarValues(input), is_default: 0 }).returning('id').executeTakeFirstOrThrow();
    await makeDefault(trx, row.id, input.isDefault);
    await recordAudit(trx, actor, { action: 'sla_calendar.created', subjectType: 'sla_calendar', subjectId: row.id, after: { name: input.name } });
    return row.id;
  });
}

export async function updateCalendar(db: Db, actor: Actor, id: number, input: CalendarInput): Promise<void> {
  if (!can(actor, 'sla.manage')) throw new Forbidden();
  await db.transaction().execute(async (trx) => {
    if (!(await trx.selectFrom('sla_calendars').select('id').where('id', '=', id).executeTakeFirst())) throw new NotFound();
    await nameTaken(trx, 'sla_calendars', input.name, id);
    await trx.updateTable('sla_calendars').set(calendarValues(input)).where('id', '=', id).execute();
    await makeDefault(trx, id, input.isDefault);
    await recordAudit(trx, actor, { action: 'sla_calendar.updated', subjectType: 'sla_calendar', subjectId: id, after: { name: input.name } });
  });
}

function policyValues(input: PolicyInput) {
  if (input.firstReplyMinutes === null && input.nextReplyMinutes === null && input.resolutionMinutes === null) {
    throw new Invalid({ firstReplyMinutes: 'sla.errors.noTarget' }, 'sla.errors.noTarget');
  }
  const conditions: PolicyConditions = {
    priorities: input.priorities, typeIds: input.typeIds, groupIds: input.groupIds, organizationIds: input.organizationIds,
    brandIds: input.brandIds, channels: input.channels, tags: input.tags,
  };
  return {
    name: input.name, position: input.position, active: input.active ? 1 : 0, conditions: JSON.stringify(conditions),
    first_reply_minutes: input.firstReplyMinutes, first_reply_business: input.firstReplyBusiness ? 1 : 0,
    next_reply_minutes: input.nextReplyMinutes, next_reply_business: input.nextReplyBusiness ? 1 : 0,
    resolution_minutes: input.resolutionMinutes, resolution_business: input.resolutionBusiness ? 1 : 0,
    calendar_id: input.calendarId, pause_on_hold: input.pauseOnHold ? 1 : 0, warn_minutes: input.warnMinutes, updated_at: nowIso(),
  };
}

async function checkCalendar(trx: Trx, id: number | null): Promise<void> {
  if (id !== null && !(await trx.selectFrom('sla_calendars').select('id').where('id', '=', id).executeTakeFirst())) {
    throw new Invalid({ calendarId: 'errors.choice' });
  }
}

export async function createPolicy(db: Db, actor: Actor, input: PolicyInput): Promise<number> {
  if (!can(actor, 'sla.manage')) throw new Forbidden();
  return db.transaction().execute(async (trx) => {
    await nameTaken(trx, 'sla_policies', input.name, null);
    await checkCalendar(trx, input.calendarId);
    const row = await trx.insertInto('sla_policies').values(policyValues(input)).returning('id').executeTakeFirstOrThrow();
    await recordAudit(trx, actor, { action: 'sla_policy.created', subjectType: 'sla_policy', subjectId: row.id, after: { name: input.name } });
    return row.id;
  });
}

export async function updatePolicy(db: Db, actor: Actor, id: number, input: PolicyInput): Promise<void> {
  if (!can(actor, 'sla.manage')) throw new Forbidden();
  await db.transaction().execute(async (trx) => {
    if (!(await trx.selectFrom('sla_policies').select('id').where('id', '=', id).executeTakeFirst())) throw new NotFound();
    await nameTaken(trx, 'sla_policies', input.name, id);
    await checkCalendar(trx, input.calendarId);
    await trx.updateTable('sla_policies').set(policyValues(input)).where('id', '=', id).execute();
    await recordAudit(trx, actor, { action: 'sla_policy.updated', subjectType: 'sla_policy', subjectId: id, after: { name: input.name } });
  });
}
