import type { Consumer } from '../events/consumer.js';
import { fromImport } from '../events/record.js';
import { webhookEventOf } from './events.js';
import { queueDelivery } from './deliveries.js';
import { anySubscription, subscribersOf } from './queries.js';
import { webhookData } from './view.js';

/**
 * Webhooks (issue 22, point 3): each event a subscription asked for becomes a delivery row and a
 * `webhook.deliver` job, in the transaction that moves this consumer's position, so an event is
 * queued exactly once per subscription; the job sends it (deliver.ts). The body is read here, when
 * the event is handed over, so a retry an hour later sends what happened then. The consumer's
 * position starts at the newest event when the feature arrives (migration 0039): no history replayed.
 */
export const webhooks: Consumer = {
  name: 'webhooks',
  transactional: true,
  // Reading the subscriptions and the ticket holds up no other writer; only queueing does.
  lateWriterLock: true,
  async passes(db, event) {
    return webhookEventOf(event) === null || event.ticketId === null || fromImport(event) || !(await anySubscription(db, ''));
  },
  async handle(trx, event, context) {
    const name = webhookEventOf(event);
    // An import is old history, not news for a subscriber.
    if (!name || event.ticketId === null || fromImport(event)) return;
    const ticket = name === 'ticket.deleted' ? null
      : await trx.selectFrom('tickets').select(['group_id', 'type_id']).where('id', '=', event.ticketId).executeTakeFirst();
    if (ticket === undefined) return;
    const subscriptions = await subscribersOf(trx, name, ticket);
    if (subscriptions.length === 0) return;
    const data = await webhookData(trx, name, event, context.mail.baseUrl);
    if (!data) return;
    for (const subscription of subscriptions) {
      await queueDelivery(trx, { subscriptionId: subscription.id, event: name, eventId: event.id, ticketId: event.ticketId, data });
    }
  },
};
