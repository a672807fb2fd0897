import * as z from 'zod';
import { WEBHOOK_EVENTS } from '../webhooks/events.js';
import { isWebhookUrl } from '../webhooks/schemas.js';

/**
 * The webhook subscriptions' request and answer shapes (issue 22): the JSON the API reads and
 * writes, handed to the same verbs as the admin pages (webhooks/subscriptions.ts).
 */

const id = z.number().int().positive();
const time = z.string().meta({ description: 'UTC, ISO 8601 with milliseconds.' });
const events = z.array(z.enum(WEBHOOK_EVENTS)).min(1, { error: 'webhooks.errors.noEvents' })
  .meta({ description: 'The events to send: `message.added.public` (what the customer reads) and `message.added.internal` (notes) are separate.' });
const url = z.string().max(1000).refine(isWebhookUrl, { error: 'webhooks.errors.url' })
  .meta({ description: 'Where to POST: http or https, no user name or password, no fragment.' });

export const WebhookSubscription = z.object({
  id,
  url: z.string(),
  description: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENTS)),
  groupId: id.nullable().meta({ description: 'Only tickets of this group (null: any).' }),
  typeId: id.nullable().meta({ description: 'Only tickets of this type (null: any).' }),
  enabled: z.boolean(),
  failures: z.number().int().meta({ description: 'Deliveries in a row that failed for good; the desk disables the subscription after a few.' }),
  disabledAt: time.nullable(),
  disabledReason: z.string().nullable().meta({ description: '`failures` (the desk stopped it) or `admin`.' }),
  createdAt: time,
  updatedAt: time,
}).meta({ id: 'WebhookSubscription', description: 'A webhook subscription (never its signing secret).' });

export const NewWebhookSubscription = z.strictObject({
  url,
  description: z.string().max(500).optional(),
  events,
  groupId: id.nullable().optional(),
  typeId: id.nullable().optional(),
  enabled: z.boolean().optional().meta({ description: 'true unless given.' }),
}).meta({ id: 'NewWebhookSubscription' });

export const WebhookSubscriptionPatch = z.strictObject({
  url: url.optional(),
  description: z.string().max(500).optional(),
  events: events.optional(),
  groupId: id.nullable().optional(),
  typeId: id.nullable().optional(),
  enabled: z.boolean().optional().meta({ description: 'Enabling a subscription again forgets its failures.' }),
}).meta({ id: 'WebhookSubscriptionPatch', description: 'What to change; what is left out stays.' });

export const CreatedWebhookSubscription = WebhookSubscription.extend({
  secret: z.string().meta({ description: 'The signing secret of `X-Deskbell-Signature`: shown this once.' }),
}).meta({ id: 'CreatedWebhookSubscription' });

export const WebhookDelivery = z.object({
  id,
  subscriptionId: id,
  uuid: z.string().meta({ description: 'The `X-Deskbell-Delivery` header.' }),
  event: z.string(),
  ticketId: id.nullable(),
  state: z.string(),
  attempts: z.number().int(),
  redeliveryOf: id.nullable(),
  request: z.object({ headers: z.record(z.string(), z.string()), body: z.string() }).nullable().meta({ description: 'What was sent last (null before the first attempt).' }),
  response: z.object({ status: z.number().int().nullable(), body: z.string().nullable(), error: z.string().nullable(), durationMs: z.number().nullable() }),
  createdAt: time,
  lastAttemptAt: time.nullable(),
  nextAttemptAt: time.nullable(),
}).meta({ id: 'WebhookDelivery', description: 'One delivery of the log: what was sent and what came back.' });

export const DeliveryQuery = z.object({
  before: z.string().regex(/^\d{1,12}$/, { error: 'errors.badCursor' }).transform(Number).optional().meta({ description: 'The cursor of the next page (a delivery id).' }),
});
