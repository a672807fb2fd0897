import type { Db } from '../db/connect.js';
import type { StatusCategory } from '../db/schema.js';
import { nowIso } from '../lib/time.js';

type StatusSeed = { name: string; customerLabel: string; category: StatusCategory };

/** The *Simple* workflow (seed 000): "Pending" there means being worked on, so it is an open status. */
export const SIMPLE_WORKFLOW: StatusSeed[] = [
  { name: 'New', customerLabel: 'Received', category: 'new' },
  { name: 'Open', customerLabel: 'Open', category: 'open' },
  { name: 'Pending', customerLabel: 'In progress', category: 'open' },
  { name: 'Solved', customerLabel: 'Solved', category: 'solved' },
  { name: 'Closed', customerLabel: 'Closed', category: 'closed' },
];

/**
 * First start: a desk that works out of the box. Runs once (when there are no statuses yet), in one
 * transaction, so a crash half-way leaves nothing to clean up.
 */
export async function seedDefaults(db: Db, mailDomain: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('statuses').select('id').limit(1).executeTakeFirst();
    if (existing) return false;
    const now = nowIso();
    const seenCategories = new Set<StatusCategory>();
    for (const [position, status] of SIMPLE_WORKFLOW.entries()) {
      await trx.insertInto('statuses').values({
        name: status.name,
        customer_label: status.customerLabel,
        category: status.category,
        position,
        is_default_for_category: seenCategories.has(status.category) ? 0 : 1,
        retired_at: null,
      }).execute();
      seenCategories.add(status.category);
    }
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
