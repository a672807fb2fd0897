import type { Generated, Selectable } from 'kysely';

/** A URL an admin subscribed to some events (issue 22, point 3). */
export interface WebhookSubscriptionsTable {
  id: Generated<number>;
  url: string;
  description: Generated<string>;
  /** JSON: the webhook event names (webhooks/events.ts `WEBHOOK_EVENTS`). */
  events: Generated<string>;
  /** Only tickets of this group / type (null: any). */
  group_id: number | null;
  type_id: number | null;
  /** Signs every body (HMAC-SHA256): kept as it is, shown to the admin once. */
  secret: string;
  enabled: Generated<number>;
  /** Deliveries in a row that failed for good; reset by a success. */
  failures: Generated<number>;
  disabled_at: string | null;
  /** 'failures' (the desk stopped it) or 'admin'. */
  disabled_reason: string | null;
  created_by_id: number | null;
  created_at: string;
  updated_at: string;
}

export type DeliveryState = 'queued' | 'retrying' | 'delivered' | 'failed' | 'skipped';

/** One event sent (or to be sent) to one subscription, with its last attempt. */
export interface WebhookDeliveriesTable {
  id: Generated<number>;
  subscription_id: number;
  /** X-Deskbell-Delivery: the same on every retry, a new one for a redelivery. */
  uuid: string;
  event: string;
  event_id: number | null;
  ticket_id: number | null;
  /** JSON: the body's content without its id and timestamp (added at each attempt). */
  payload: string;
  state: DeliveryState;
  attempts: Generated<number>;
  /** The delivery an admin sent again (null: the event's own). */
  redelivery_of: number | null;
  request_headers: string | null;
  request_body: string | null;
  response_status: number | null;
  response_body: string | null;
  error: string | null;
  duration_ms: number | null;
  created_at: string;
  last_attempt_at: string | null;
  next_attempt_at: string | null;
}

export type WebhookSubscription = Selectable<WebhookSubscriptionsTable>;
export type WebhookDelivery = Selectable<WebhookDeliveriesTable>;

declare module '../db/schema.js' {
  interface Database {
    webhook_subscriptions: WebhookSubscriptionsTable;
    webhook_deliveries: WebhookDeliveriesTable;
  }
}
