import type { Db } from '../db/connect.js';
import { nowIso } from '../lib/time.js';
import { SIMPLE } from '../statuses/presets.js';
import { insertWorkflow } from '../statuses/queries.js';

/**
 * First start: a desk that works out of the box, on the *Simple* workflow. Runs once (when there
 * are no statuses yet), in one transaction, so a crash half-way leaves nothing to clean up.
 */
export async function seedDefaults(db: Db, mailDomain: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('statuses').select('id').limit(1).executeTakeFirst();
    if (existing) return false;
    const now = nowIso();
    await insertWorkflow(trx, SIMPLE.statuses);
    const brand = await trx.insertInto('brands').values({
      name: 'Help Desk', from_name: 'Help Desk', from_address: `support@${mailDomain}`,
      portal_title: 'Help Desk', is_default: 1, created_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    const group = await trx.insertInto('groups').values({ name: 'Support', created_at: now })
      .returning('id').executeTakeFirstOrThrow();
    const type = await trx.insertInto('ticket_types').values({
      name: 'General', description: 'Questions and problems of any kind.',
      default_group_id: group.id, initial_status_id: null, created_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    await trx.insertInto('settings').values([
      { key: 'default_brand_id', value: String(brand.id) },
      { key: 'default_group_id', value: String(group.id) },
      { key: 'default_type_id', value: String(type.id) },
      { key: 'site_time_zone', value: 'UTC' },
    ]).execute();
    return true;
  });
}
