import type { Db } from '../db/connect.js';
import type { SubscriptionInput } from '../webhooks/schemas.js';
import {
  createSubscription, deleteSubscription, getDelivery, getSubscription, listDeliveries, listSubscriptions, redeliver, updateSubscription,
  type SubscriptionView,
} from '../webhooks/subscriptions.js';
import * as z from 'zod';
import type { Define } from './define.js';
import { IdParam, page } from './shapes.js';
import {
  CreatedWebhookSubscription, DeliveryQuery, NewWebhookSubscription, WebhookDelivery, WebhookSubscription, WebhookSubscriptionPatch,
} from './webhook-shapes.js';

const PAGE = 50;

/** The input of the verbs: what the PATCH leaves out stays as it is. */
function inputOf(base: SubscriptionView | null, body: z.output<typeof WebhookSubscriptionPatch>): SubscriptionInput {
  return {
    url: body.url ?? base?.url ?? '',
    description: body.description ?? base?.description ?? '',
    events: body.events ?? base?.events ?? [],
    groupId: body.groupId !== undefined ? body.groupId : base?.groupId ?? null,
    typeId: body.typeId !== undefined ? body.typeId : base?.typeId ?? null,
    enabled: body.enabled ?? base?.enabled ?? true,
  };
}

/**
 * Webhook subscriptions and their delivery log (issue 22): admins only, the same permission and
 * verbs as the admin pages (`/admin/webhooks`). The signing secret is in the answer of the POST alone.
 */
export function webhookRoutes(define: Define, db: Db) {
  const common = { tag: 'Webhooks', permission: 'webhooks.manage' } as const;

  define({
    ...common, method: 'GET', path: '/v1/webhooks', operationId: 'listWebhooks', access: 'read',
    summary: 'List webhook subscriptions', description: 'Admins only.',
    response: { status: 200, description: 'Every subscription.', schema: z.object({ items: z.array(WebhookSubscription) }) },
    handler: async ({ actor }) => ({ items: await listSubscriptions(db, actor) }),
  });

  define({
    ...common, method: 'POST', path: '/v1/webhooks', operationId: 'createWebhook', access: 'write', idempotent: true,
    summary: 'Subscribe a URL', description: 'Admins only. The answer carries the signing secret, this once; `Location` is the subscription\'s address.',
    body: NewWebhookSubscription, problems: [422],
    response: { status: 201, description: 'The new subscription and its signing secret.', schema: CreatedWebhookSubscription, headers: ['Location'] },
    handler: async ({ reply, actor, body }) => {
      const created = await db.transaction().execute((trx) => createSubscription(trx, actor, inputOf(null, body)));
      reply.code(201).header('Location', `/api/v1/webhooks/${created.id}`);
      return { ...(await getSubscription(db, actor, created.id)), secret: created.secret };
    },
  });

  define({
    ...common, method: 'GET', path: '/v1/webhooks/:id', operationId: 'getWebhook', access: 'read',
    summary: 'Get a webhook subscription', description: 'Admins only.', params: IdParam, problems: [404],
    response: { status: 200, description: 'The subscription.', schema: WebhookSubscription },
    handler: async ({ actor, params }) => getSubscription(db, actor, params.id),
  });

  define({
    ...common, method: 'PATCH', path: '/v1/webhooks/:id', operationId: 'updateWebhook', access: 'write',
    summary: 'Change a webhook subscription', description: 'Admins only. What is left out stays; enabling it again forgets its failures.',
    params: IdParam, body: WebhookSubscriptionPatch, problems: [404, 422],
    response: { status: 200, description: 'The subscription as it is now.', schema: WebhookSubscription },
    handler: async ({ actor, params, body }) => {
      const before = await getSubscription(db, actor, params.id);
      await db.transaction().execute((trx) => updateSubscription(trx, actor, before.id, inputOf(before, body)));
      return getSubscription(db, actor, before.id);
    },
  });

  define({
    ...common, method: 'DELETE', path: '/v1/webhooks/:id', operationId: 'deleteWebhook', access: 'write',
    summary: 'Remove a webhook subscription', description: 'Admins only. Its delivery log goes with it; deliveries still queued are dropped.',
    params: IdParam, problems: [404],
    response: { status: 204, description: 'Removed.' },
    handler: async ({ reply, actor, params }) => {
      await db.transaction().execute((trx) => deleteSubscription(trx, actor, params.id));
      reply.code(204);
      return undefined;
    },
  });

  define({
    ...common, method: 'GET', path: '/v1/webhooks/:id/deliveries', operationId: 'listWebhookDeliveries', access: 'read',
    summary: 'A subscription\'s delivery log', description: `Admins only. Newest first, ${PAGE} a page.`,
    params: IdParam, query: DeliveryQuery, problems: [400, 404],
    response: { status: 200, description: 'A page of deliveries.', schema: page(WebhookDelivery) },
    handler: async ({ actor, params, query }) => {
      const items = await listDeliveries(db, actor, params.id, { beforeId: query.before, limit: PAGE });
      return { items, next: items.length === PAGE ? `/api/v1/webhooks/${params.id}/deliveries?before=${items[items.length - 1]!.id}` : null };
    },
  });

  define({
    ...common, method: 'GET', path: '/v1/webhooks/deliveries/:id', operationId: 'getWebhookDelivery', access: 'read',
    summary: 'Get a delivery', description: 'Admins only: the request sent and the answer received.', params: IdParam, problems: [404],
    response: { status: 200, description: 'The delivery.', schema: WebhookDelivery },
    handler: async ({ actor, params }) => getDelivery(db, actor, params.id),
  });

  define({
    ...common, method: 'POST', path: '/v1/webhooks/deliveries/:id/redeliver', operationId: 'redeliverWebhook', access: 'write',
    summary: 'Send a delivery again', description: 'Admins only. The same event under a new `X-Deskbell-Delivery` and timestamp, one attempt, sent by the worker within a moment.',
    params: IdParam, problems: [404],
    response: { status: 202, description: 'The new delivery, queued.', schema: WebhookDelivery, headers: ['Location'] },
    handler: async ({ reply, actor, params }) => {
      const queued = await db.transaction().execute((trx) => redeliver(trx, actor, params.id));
      reply.code(202).header('Location', `/api/v1/webhooks/deliveries/${queued.id}`);
      return getDelivery(db, actor, queued.id);
    },
  });
}
