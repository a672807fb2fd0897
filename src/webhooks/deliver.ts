import type { Config } from '../config.js';
import type { Db } from '../db/connect.js';
import type { Job } from '../db/schema.js';
import { recordEvent } from '../events/record.js';
import { PermanentJobError } from '../jobs/worker.js';
import { isoIn, nowIso } from '../lib/time.js';
import { getSetting } from '../settings/settings.js';
import { VERSION } from '../version.js';
import { deliveryBody, DISABLE_AFTER, signature, type DeliveryJob } from './deliveries.js';
import { postWebhook, type Attempt } from './send.js';

/** Whether deliveries may go to loopback, private and link-local addresses: WEBHOOKS_ALLOW_PRIVATE, else the admin's setting. */
export async function allowPrivateAddresses(db: Db, config: Config): Promise<boolean> {
  if (config.envOverrides.includes('WEBHOOKS_ALLOW_PRIVATE')) return config.webhooksAllowPrivate;
  return (await getSetting(db, 'webhooks.allow_private')) === '1';
}

/**
 * The `webhook.deliver` job: one attempt at one delivery. The request goes out outside any
 * transaction; its outcome is written after (the log, the subscription's failures). A failure throws,
 * so the jobs table retries it with its doubling pauses; after the last attempt the delivery has
 * failed for good, and after DISABLE_AFTER such deliveries in a row the subscription is disabled and
 * a `webhook.disabled` event has the notifications consumer mail the admins. A redelivery is sent once,
 * even to a disabled subscription, and counts for nothing. A delivery is at least once: a crash
 * between the request and its record sends it again, under the same X-Deskbell-Delivery.
 */
export async function deliverWebhook(db: Db, config: Config, payload: unknown, job: Job): Promise<void> {
  const { deliveryId } = payload as DeliveryJob;
  const row = await db.selectFrom('webhook_deliveries')
    .innerJoin('webhook_subscriptions as s', 's.id', 'webhook_deliveries.subscription_id')
    .select(['webhook_deliveries.id', 'webhook_deliveries.uuid', 'webhook_deliveries.event', 'webhook_deliveries.payload',
      'webhook_deliveries.state', 'webhook_deliveries.redelivery_of', 's.id as subscriptionId', 's.url', 's.secret', 's.enabled'])
    .where('webhook_deliveries.id', '=', deliveryId).executeTakeFirst();
  // The subscription was deleted (its deliveries with it), or the delivery is settled already.
  if (!row || row.state === 'delivered' || row.state === 'failed' || row.state === 'skipped') return;
  const manual = row.redelivery_of !== null;
  if (row.enabled !== 1 && !manual) {
    await db.updateTable('webhook_deliveries').set({ state: 'skipped', error: 'the subscription is disabled', next_attempt_at: null })
      .where('id', '=', row.id).execute();
    return;
  }
  const body = deliveryBody(row);
  const headers = {
    'content-type': 'application/json', 'user-agent': `Deskbell-Webhooks/${VERSION}`,
    'x-deskbell-event': row.event, 'x-deskbell-delivery': row.uuid, 'x-deskbell-signature': signature(row.secret, body),
  };
  const attempt = await postWebhook(row.url, body, headers, { allowPrivate: await allowPrivateAddresses(db, config), timeoutMs: config.webhookTimeoutMs });
  const ok = attempt.status !== undefined && attempt.status >= 200 && attempt.status < 300 && !attempt.error;
  const final = ok || attempt.refused === true || job.attempts >= job.max_attempts;
  await db.transaction().execute(async (trx) => {
    const now = nowIso();
    await trx.updateTable('webhook_deliveries').set({
      state: ok ? 'delivered' : final ? 'failed' : 'retrying', attempts: job.attempts, last_attempt_at: now,
      next_attempt_at: final ? null : isoIn(config.jobRetryBaseMs * 2 ** Math.max(0, job.attempts - 1)),
      request_headers: JSON.stringify(headers), request_body: body, response_status: attempt.status ?? null,
      response_body: attempt.body ?? null, error: attempt.error?.slice(0, 1000) ?? null, duration_ms: attempt.durationMs,
    }).where('id', '=', row.id).execute();
    if (manual) return;
    if (ok) {
      await trx.updateTable('webhook_subscriptions').set({ failures: 0 }).where('id', '=', row.subscriptionId).where('failures', '>', 0).execute();
      return;
    }
    if (!final) return;
    const counted = await trx.updateTable('webhook_subscriptions').set((eb) => ({ failures: eb('failures', '+', 1) }))
      .where('id', '=', row.subscriptionId).where('enabled', '=', 1).returning('failures').executeTakeFirst();
    if (!counted || counted.failures < DISABLE_AFTER) return;
    await trx.updateTable('webhook_subscriptions').set({ enabled: 0, disabled_at: now, disabled_reason: 'failures', updated_at: now })
      .where('id', '=', row.subscriptionId).execute();
    await recordEvent(trx, { kind: 'webhook.disabled', ticketId: null, actorId: null, at: now,
      payload: { subscriptionId: row.subscriptionId, failures: counted.failures, lastError: describe(attempt) } });
  });
  if (ok) return;
  const message = describe(attempt);
  throw attempt.refused ? new PermanentJobError(message) : new Error(message);
}

function describe(attempt: Attempt): string {
  return attempt.error ?? `answered ${attempt.status}`;
}
