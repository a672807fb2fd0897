import type { Db } from '../db/connect.js';
import { CHANNELS, PRIORITIES } from './schemas.js';

// What the SLA admin pages read (src/sla/routes-admin.ts).

/** What the policy form offers to choose from. */
export async function policyChoices(db: Db) {
  const [types, groups, organizations, brands, calendars] = await Promise.all([
    db.selectFrom('ticket_types').select(['id', 'name']).orderBy('name').execute(),
    db.selectFrom('groups').select(['id', 'name']).orderBy('name').execute(),
    db.selectFrom('organizations').select(['id', 'name']).orderBy('name').limit(500).execute(),
    db.selectFrom('brands').select(['id', 'name']).orderBy('name').execute(),
    db.selectFrom('sla_calendars').select(['id', 'name']).orderBy('name').execute(),
  ]);
  return { types, groups, organizations, brands, calendars, priorities: PRIORITIES, channels: CHANNELS };
}

export function listCalendars(db: Db) {
  return db.selectFrom('sla_calendars').selectAll().orderBy('name').execute();
}

export function calendarById(db: Db, id: number) {
  return db.selectFrom('sla_calendars').selectAll().where('id', '=', id).executeTakeFirst();
}

export function policyById(db: Db, id: number) {
  return db.selectFrom('sla_policies').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The position a new policy gets by default: after the last one. */
export async function nextPolicyPosition(db: Db): Promise<number> {
  const last = await db.selectFrom('sla_policies').select((eb) => eb.fn.max('position').as('p')).executeTakeFirst();
  return Number(last?.p ?? 0) + 10;
}
