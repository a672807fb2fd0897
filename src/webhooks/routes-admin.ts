import type { FastifyInstance, FastifyReply } from 'fastify';
import { Invalid, Malformed } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { idParam, positiveInt } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { allowPrivateAddresses } from './deliver.js';
import { WEBHOOK_EVENTS } from './events.js';
import { filterChoices, lastDeliveries } from './queries.js';
import { subscriptionSchema } from './schemas.js';
import {
  createSubscription, deleteSubscription, getDelivery, getSubscription, listDeliveries, listSubscriptions, redeliver, rotateSecret,
  updateSubscription, type SubscriptionView,
} from './subscriptions.js';

type Form = Record<string, string | string[] | undefined>;
type Id = { Params: { id: string }; Body: Form };

function formOf(s: SubscriptionView): Form {
  return {
    url: s.url, description: s.description, events: s.events, groupId: s.groupId?.toString() ?? '', typeId: s.typeId?.toString() ?? '',
    enabled: s.enabled ? '1' : '',
  };
}

const NEW: Form = { url: '', description: '', events: [], groupId: '', typeId: '', enabled: '1' };

/** `/admin/webhooks`: subscriptions, each with its delivery log; a delivery's request and answer; redeliver. */
export default async function webhookAdminRoutes(app: FastifyInstance) {
  const { db, config } = app;
  app.addHook('preHandler', allow('webhooks.manage'));

  const formPage = async (reply: FastifyReply, subscription: SubscriptionView | null, values: Form, errors: Record<string, string>, status = 200, extra: Record<string, unknown> = {}) =>
    reply.page(subscription ? 'admin/webhooks-edit' : 'admin/webhooks-new', {
      subscription, values, errors, events: WEBHOOK_EVENTS, choices: await filterChoices(db), ...extra,
    }, { status });
  const secretPage = (reply: FastifyReply, subscription: SubscriptionView, secret: string, created: boolean) =>
    reply.page('admin/webhooks-secret', { subscription, secret, created });

  app.get('/admin/webhooks', async (request, reply) => {
    const [subscriptions, last, choices] = await Promise.all([listSubscriptions(db, request.actor!), lastDeliveries(db), filterChoices(db)]);
    return reply.page('admin/webhooks', {
      subscriptions: subscriptions.map((s) => ({ ...s, last: last.get(s.id) ?? null })), choices,
      allowPrivate: await allowPrivateAddresses(db, config),
    });
  });

  app.get('/admin/webhooks/new', async (_request, reply) => formPage(reply, null, NEW, {}));
  app.post<{ Body: Form }>('/admin/webhooks', async (request, reply) => {
    try {
      const input = parseForm(subscriptionSchema, request.body);
      const created = await db.transaction().execute((trx) => createSubscription(trx, request.actor!, input));
      return secretPage(reply, await getSubscription(db, request.actor!, created.id), created.secret, true);
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return formPage(reply, null, request.body ?? {}, error.fields, 422);
    }
  });

  const logPage = async (reply: FastifyReply, subscription: SubscriptionView, before: string | undefined, values: Form, errors: Record<string, string>, status = 200) => {
    const beforeId = before ? positiveInt(before) : undefined;
    if (beforeId === null) throw new Malformed('errors.badCursor');
    const deliveries = await listDeliveries(db, reply.request.actor!, subscription.id, { beforeId, limit: 50 });
    const next = deliveries.length === 50 ? deliveries[deliveries.length - 1]!.id : undefined;
    return formPage(reply, subscription, values, errors, status, { deliveries, next });
  };

  app.get<Id & { Querystring: { before?: string } }>('/admin/webhooks/:id', async (request, reply) => {
    const subscription = await getSubscription(db, request.actor!, idParam(request.params.id));
    return logPage(reply, subscription, request.query.before, formOf(subscription), {});
  });
  app.post<Id>('/admin/webhooks/:id', async (request, reply) => {
    const subscription = await getSubscription(db, request.actor!, idParam(request.params.id));
    try {
      const input = parseForm(subscriptionSchema, request.body);
      await db.transaction().execute((trx) => updateSubscription(trx, request.actor!, subscription.id, input));
      return reply.seeOther(`/admin/webhooks/${subscription.id}`, 'webhooks.saved');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return logPage(reply, subscription, undefined, request.body ?? {}, error.fields, 422);
    }
  });
  app.post<Id>('/admin/webhooks/:id/delete', async (request, reply) => {
    await db.transaction().execute((trx) => deleteSubscription(trx, request.actor!, idParam(request.params.id)));
    return reply.seeOther('/admin/webhooks', 'webhooks.deleted');
  });
  app.post<Id>('/admin/webhooks/:id/secret', async (request, reply) => {
    const id = idParam(request.params.id);
    const secret = await db.transaction().execute((trx) => rotateSecret(trx, request.actor!, id));
    return secretPage(reply, await getSubscription(db, request.actor!, id), secret, false);
  });

  app.get<Id>('/admin/webhooks/deliveries/:id', async (request, reply) => {
    const delivery = await getDelivery(db, request.actor!, idParam(request.params.id));
    const subscription = await getSubscription(db, request.actor!, delivery.subscriptionId);
    return reply.page('admin/webhooks-delivery', { delivery, subscription });
  });
  app.post<Id>('/admin/webhooks/deliveries/:id/redeliver', async (request, reply) => {
    const id = idParam(request.params.id);
    // Sent by the worker within a moment: its page shows it queued until then.
    const queued = await db.transaction().execute((trx) => redeliver(trx, request.actor!, id));
    return reply.seeOther(`/admin/webhooks/deliveries/${queued.id}`, 'webhooks.redelivered');
  });
}
