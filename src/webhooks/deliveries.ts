import { createHmac, randomUUID } from 'node:crypto';
import type { Db } from '../db/connect.js';
import { enqueueJob } from '../jobs/queries.js';
import { nowIso } from '../lib/time.js';
import type { WebhookEvent } from './events.js';
import type { WebhookData } from './view.js';

export const WEBHOOK_JOB = 'webhook.deliver';
/** Attempts of an event's delivery: with the worker's doubling pauses (30 s first) about an hour in all. */
export const WEBHOOK_ATTEMPTS = 8;
/** Deliveries in a row that failed for good before the subscription is disabled (and the admins mailed). */
export const DISABLE_AFTER = 3;

export interface DeliveryJob { deliveryId: number }

export interface NewDelivery {
  subscriptionId: number;
  event: WebhookEvent | string;
  eventId: number | null;
  ticketId: number | null;
  data: WebhookData | Record<string, unknown>;
  redeliveryOf?: number;
}

/** A delivery row and its job, in the caller's transaction. A redelivery is sent once (the admin sees the answer at once). */
export async function queueDelivery(db: Db, delivery: NewDelivery): Promise<{ id: number; uuid: string }> {
  const uuid = randomUUID();
  const row = await db.insertInto('webhook_deliveries').values({
    subscription_id: delivery.subscriptionId, uuid, event: delivery.event, event_id: delivery.eventId, ticket_id: delivery.ticketId,
    payload: JSON.stringify(delivery.data), state: 'queued', redelivery_of: delivery.redeliveryOf ?? null, request_headers: null, request_body: null,
    response_status: null, response_body: null, error: null, duration_ms: null, created_at: nowIso(), last_attempt_at: null, next_attempt_at: null,
  }).returning('id').executeTakeFirstOrThrow();
  await enqueueJob(db, WEBHOOK_JOB, { deliveryId: row.id } satisfies DeliveryJob, { maxAttempts: delivery.redeliveryOf ? 1 : WEBHOOK_ATTEMPTS });
  return { id: row.id, uuid };
}

/**
 * The raw body of one attempt: the delivery's id, the event, the time of sending in Unix seconds
 * (inside the signed bytes, so a receiver can refuse an old body sent again), then the content.
 */
export function deliveryBody(delivery: { uuid: string; event: string; payload: string }, now = Date.now()): string {
  const data = JSON.parse(delivery.payload) as Record<string, unknown>;
  return JSON.stringify({ id: delivery.uuid, event: delivery.event, timestamp: Math.floor(now / 1000), ...data });
}

/** `sha256=<hex HMAC-SHA256 of the raw body with the subscription's secret>`. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}
