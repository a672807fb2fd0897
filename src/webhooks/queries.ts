import { untilChanged } from '../db/change-cache.js';
import type { Db } from '../db/connect.js';
import { readEvents, type WebhookEvent } from './events.js';
import type { WebhookDelivery, WebhookSubscription } from './schema.js';

/**
 * The enabled subscriptions that want this event of a ticket in this group and of this type
 * (`ticket` null: the ticket is gone, so only subscriptions without a filter hear of it).
 */
/** Whether any subscription is enabled: remembered until the database changes (asked for every event). */
export const anySubscription = untilChanged(async (db: Db, _: '') =>
  (await db.selectFrom('webhook_subscriptions').select('id').where('enabled', '=', 1).limit(1).executeTakeFirst()) !== undefined, 1);

export async function subscribersOf(db: Db, name: WebhookEvent, ticket: { group_id: number | null; type_id: number } | null): Promise<WebhookSubscription[]> {
  const rows = await db.selectFrom('webhook_subscriptions').selectAll().where('enabled', '=', 1).orderBy('id').execute();
  return rows.filter((row) => readEvents(row.events).includes(name)
    && (row.group_id === null || (ticket !== null && ticket.group_id === row.group_id))
    && (row.type_id === null || (ticket !== null && ticket.type_id === row.type_id)));
}

export function subscriptionById(db: Db, id: number): Promise<WebhookSubscription | undefined> {
  return db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
}

export function deliveryById(db: Db, id: number): Promise<WebhookDelivery | undefined> {
  return db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
}

export function allSubscriptions(db: Db): Promise<WebhookSubscription[]> {
  return db.selectFrom('webhook_subscriptions').selectAll().orderBy('id').execute();
}

/** A subscription's delivery log, newest first, `limit` at a time before `beforeId`. */
export function deliveriesOf(db: Db, subscriptionId: number, options: { beforeId?: number; limit: number }): Promise<WebhookDelivery[]> {
  let query = db.selectFrom('webhook_deliveries').selectAll().where('subscription_id', '=', subscriptionId);
  if (options.beforeId) query = query.where('id', '<', options.beforeId);
  return query.orderBy('id', 'desc').limit(options.limit).execute();
}

/** The newest delivery of each subscription (for the list's "last delivery" column). */
export async function lastDeliveries(db: Db): Promise<Map<number, WebhookDelivery>> {
  const newest = db.selectFrom('webhook_deliveries').select((eb) => eb.fn.max('id').as('id')).groupBy('subscription_id');
  const rows = await db.selectFrom('webhook_deliveries').selectAll().where('id', 'in', newest).execute();
  return new Map(rows.map((row) => [row.subscription_id, row]));
}

/** Groups and ticket types, for the subscription form's filters. */
export async function filterChoices(db: Db) {
  const [groups, types] = await Promise.all([
    db.selectFrom('groups').select(['id', 'name']).orderBy('name').execute(),
    db.selectFrom('ticket_types').select(['id', 'name']).where('retired_at', 'is', null).orderBy('position').orderBy('name').execute(),
  ]);
  return { groups, types };
}
