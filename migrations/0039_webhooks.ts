import type { Kysely } from 'kysely';
import { nowText, serialKey } from './dialect.js';

// Frozen in time. Signed webhooks (issue 22, point 3).
// - webhook_subscriptions: a URL an admin subscribed to some events (JSON list of names), with an
//   optional group and type filter (plain ids, no foreign keys: a deleted group simply never
//   matches again), the signing secret (kept as it is: it signs every body), whether it is enabled,
//   and how many deliveries in a row failed for good (it is disabled after a few).
// - webhook_deliveries: one per event and subscription (and per redelivery): the stored payload,
//   the last request sent and the answer (status, an excerpt, the error, the time it took).
// - The stream consumer `webhooks` starts at the newest event: a desk that upgrades does not replay
//   its history to URLs subscribed later.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('webhook_subscriptions')
    .addColumn('id', 'integer', serialKey(db))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('events', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('group_id', 'integer')
    .addColumn('type_id', 'integer')
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('disabled_at', 'text')
    .addColumn('disabled_reason', 'text')
    .addColumn('created_by_id', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createTable('webhook_deliveries')
    .addColumn('id', 'integer', serialKey(db))
    .addColumn('subscription_id', 'integer', (c) => c.notNull().references('webhook_subscriptions.id').onDelete('cascade'))
    .addColumn('uuid', 'text', (c) => c.notNull().unique())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('event_id', 'integer')
    .addColumn('ticket_id', 'integer')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('redelivery_of', 'integer')
    .addColumn('request_headers', 'text')
    .addColumn('request_body', 'text')
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_attempt_at', 'text')
    .addColumn('next_attempt_at', 'text')
    .execute();
  await db.schema.createIndex('webhook_deliveries_subscription').on('webhook_deliveries').columns(['subscription_id', 'id']).execute();
  const last = await db.selectFrom('events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
  await db.insertInto('consumer_positions')
    .values({ consumer: 'webhooks', last_event_id: Number(last?.id ?? 0), updated_at: nowText(db) })
    .onConflict((oc) => oc.column('consumer').doNothing())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('consumer_positions').where('consumer', '=', 'webhooks').execute();
  await db.schema.dropTable('webhook_deliveries').execute();
  await db.schema.dropTable('webhook_subscriptions').execute();
}
