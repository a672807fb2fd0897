import { randomBytes } from 'node:crypto';
import { recordAudit } from '../admin/audit.js';
import type { Db, Trx } from '../db/connect.js';
import { Forbidden, Invalid, NotFound, type FieldErrors } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { can } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { queueDelivery } from './deliveries.js';
import { readEvents, type WebhookEvent } from './events.js';
import { deliveriesOf, deliveryById, subscriptionById } from './queries.js';
import type { DeliveryState, WebhookDelivery, WebhookSubscription } from './schema.js';
import type { SubscriptionInput } from './schemas.js';

// The verbs of webhook subscriptions, for the admin pages and the API alike: each takes the
// database (a transaction for a change) and the acting person, checks the policy, and returns plain
// data. The signing secret is returned once, by `createSubscription` and `rotateSecret`; no view
// carries it.

/** A subscription as the API and the admin pages show it (never its secret). */
export interface SubscriptionView {
  id: number;
  url: string;
  description: string;
  events: WebhookEvent[];
  groupId: number | null;
  typeId: number | null;
  enabled: boolean;
  /** Deliveries in a row that failed for good (the subscription is disabled at DISABLE_AFTER). */
  failures: number;
  disabledAt: string | null;
  /** 'failures' (the desk stopped it) or 'admin'. */
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
}

/** One delivery of the log: what was sent and what came back. */
export interface DeliveryView {
  id: number;
  subscriptionId: number;
  /** X-Deskbell-Delivery. */
  uuid: string;
  event: string;
  ticketId: number | null;
  state: DeliveryState;
  attempts: number;
  redeliveryOf: number | null;
  request: { headers: Record<string, string>; body: string } | null;
  response: { status: number | null; body: string | null; error: string | null; durationMs: number | null };
  createdAt: string;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
}

export function subscriptionView(row: WebhookSubscription): SubscriptionView {
  return {
    id: row.id, url: row.url, description: row.description, events: readEvents(row.events), groupId: row.group_id, typeId: row.type_id,
    enabled: row.enabled === 1, failures: row.failures, disabledAt: row.disabled_at, disabledReason: row.disabled_reason,
    createdAt: row.created_at, updatedAt: row.updated_at,
  };
}

export function deliveryView(row: WebhookDelivery): DeliveryView {
  return {
    id: row.id, subscriptionId: row.subscription_id, uuid: row.uuid, event: row.event, ticketId: row.ticket_id, state: row.state,
    attempts: row.attempts, redeliveryOf: row.redelivery_of,
    request: row.request_body === null ? null : { headers: JSON.parse(row.request_headers ?? '{}') as Record<string, string>, body: row.request_body },
    response: { status: row.response_status, body: row.response_body, error: row.error, durationMs: row.duration_ms },
    createdAt: row.created_at, lastAttemptAt: row.last_attempt_at, nextAttemptAt: row.next_attempt_at,
  };
}

function allowed(actor: Actor): void {
  if (!can(actor, 'webhooks.manage')) throw new Forbidden();
}

/** A new signing secret: 32 random bytes, with a prefix secret scanners can recognise. */
function newSecret(): string {
  return `dbwh_${randomBytes(32).toString('base64url')}`;
}

async function checkFilters(db: Db, input: SubscriptionInput): Promise<void> {
  const errors: FieldErrors = {};
  if (input.groupId !== null && !(await db.selectFrom('groups').select('id').where('id', '=', input.groupId).executeTakeFirst())) errors.groupId = 'errors.choice';
  if (input.typeId !== null && !(await db.selectFrom('ticket_types').select('id').where('id', '=', input.typeId).executeTakeFirst())) errors.typeId = 'errors.choice';
  if (input.events.length === 0) errors.events = 'webhooks.errors.noEvents';
  if (Object.keys(errors).length > 0) throw new Invalid(errors);
}

async function find(db: Db, id: number): Promise<WebhookSubscription> {
  const row = await subscriptionById(db, id);
  if (!row) throw new NotFound();
  return row;
}

/** Subscribe a URL: returns its id and its signing secret (shown this once). */
export async function createSubscription(trx: Trx, actor: Actor, input: SubscriptionInput): Promise<{ id: number; secret: string }> {
  allowed(actor);
  await checkFilters(trx, input);
  const now = nowIso();
  const secret = newSecret();
  const row = await trx.insertInto('webhook_subscriptions').values({
    url: input.url, description: input.description, events: JSON.stringify(input.events), group_id: input.groupId, type_id: input.typeId, secret,
    enabled: input.enabled ? 1 : 0, failures: 0, disabled_at: input.enabled ? null : now, disabled_reason: input.enabled ? null : 'admin',
    created_by_id: actor.id, created_at: now, updated_at: now,
  }).returning('id').executeTakeFirstOrThrow();
  await recordAudit(trx, actor, { action: 'webhook.created', subjectType: 'webhook', subjectId: row.id, after: { url: input.url, events: input.events } });
  return { id: row.id, secret };
}

/** Change a subscription. Enabling it again forgets its failures. */
export async function updateSubscription(trx: Trx, actor: Actor, id: number, input: SubscriptionInput): Promise<void> {
  allowed(actor);
  const before = await find(trx, id);
  await checkFilters(trx, input);
  const now = nowIso();
  const wasEnabled = before.enabled === 1;
  await trx.updateTable('webhook_subscriptions').set({
    url: input.url, description: input.description, events: JSON.stringify(input.events), group_id: input.groupId, type_id: input.typeId,
    enabled: input.enabled ? 1 : 0, updated_at: now,
    ...(input.enabled && !wasEnabled ? { failures: 0, disabled_at: null, disabled_reason: null } : {}),
    ...(!input.enabled && wasEnabled ? { disabled_at: now, disabled_reason: 'admin' } : {}),
  }).where('id', '=', id).execute();
  await recordAudit(trx, actor, {
    action: 'webhook.updated', subjectType: 'webhook', subjectId: id,
    before: { url: before.url, events: readEvents(before.events), enabled: wasEnabled }, after: { url: input.url, events: input.events, enabled: input.enabled },
  });
}

/** Remove a subscription and its delivery log; deliveries still queued are dropped. */
export async function deleteSubscription(trx: Trx, actor: Actor, id: number): Promise<void> {
  allowed(actor);
  const row = await find(trx, id);
  await trx.deleteFrom('webhook_deliveries').where('subscription_id', '=', id).execute();
  await trx.deleteFrom('webhook_subscriptions').where('id', '=', id).execute();
  await recordAudit(trx, actor, { action: 'webhook.deleted', subjectType: 'webhook', subjectId: id, before: { url: row.url } });
}

/** A new signing secret (the old one stops working at once): returned this once. */
export async function rotateSecret(trx: Trx, actor: Actor, id: number): Promise<string> {
  allowed(actor);
  await find(trx, id);
  const secret = newSecret();
  await trx.updateTable('webhook_subscriptions').set({ secret, updated_at: nowIso() }).where('id', '=', id).execute();
  await recordAudit(trx, actor, { action: 'webhook.secretRotated', subjectType: 'webhook', subjectId: id });
  return secret;
}

export async function listSubscriptions(db: Db, actor: Actor): Promise<SubscriptionView[]> {
  allowed(actor);
  const rows = await db.selectFrom('webhook_subscriptions').selectAll().orderBy('id').execute();
  return rows.map(subscriptionView);
}

export async function getSubscription(db: Db, actor: Actor, id: number): Promise<SubscriptionView> {
  allowed(actor);
  return subscriptionView(await find(db, id));
}

/** A subscription's delivery log, newest first. */
export async function listDeliveries(db: Db, actor: Actor, subscriptionId: number, options: { beforeId?: number; limit?: number } = {}): Promise<DeliveryView[]> {
  allowed(actor);
  await find(db, subscriptionId);
  return (await deliveriesOf(db, subscriptionId, { beforeId: options.beforeId, limit: options.limit ?? 50 })).map(deliveryView);
}

export async function getDelivery(db: Db, actor: Actor, deliveryId: number): Promise<DeliveryView> {
  allowed(actor);
  const row = await deliveryById(db, deliveryId);
  if (!row) throw new NotFound();
  return deliveryView(row);
}

/**
 * Send a delivery's event again, as it was then, under a new X-Deskbell-Delivery and with a new
 * timestamp: one attempt, even to a disabled subscription. Returns the new delivery.
 */
export async function redeliver(trx: Trx, actor: Actor, deliveryId: number): Promise<{ id: number; uuid: string }> {
  allowed(actor);
  const row = await deliveryById(trx, deliveryId);
  if (!row) throw new NotFound();
  const queued = await queueDelivery(trx, {
    subscriptionId: row.subscription_id, event: row.event, eventId: row.event_id, ticketId: row.ticket_id,
    data: JSON.parse(row.payload) as Record<string, unknown>, redeliveryOf: row.redelivery_of ?? row.id,
  });
  await recordAudit(trx, actor, { action: 'webhook.redelivered', subjectType: 'webhook', subjectId: row.subscription_id, details: { delivery: row.uuid } });
  return queued;
}
