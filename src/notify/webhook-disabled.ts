import type { Db } from '../db/connect.js';
import type { StreamEvent } from '../events/record.js';
import { composeMail } from '../mail/compose.js';
import type { MailContext } from '../mail/context.js';
import { queueMail } from '../mail/outbox.js';
import { rolesThatCan } from '../policy/can.js';

/**
 * A webhook subscription was disabled after repeated failure (src/webhooks/deliver.ts records the
 * event): every active admin hears of it, in their language, with a link to its delivery log.
 */
export async function mailWebhookDisabled(trx: Db, mail: MailContext, event: StreamEvent): Promise<void> {
  const { subscriptionId, failures, lastError } = event.payload as { subscriptionId: number; failures: number; lastError: string };
  const subscription = await trx.selectFrom('webhook_subscriptions').select(['id', 'url', 'enabled']).where('id', '=', subscriptionId).executeTakeFirst();
  // Deleted or enabled again since: nothing to tell.
  if (!subscription || subscription.enabled === 1) return;
  const admins = await trx.selectFrom('users').select(['id', 'name', 'email', 'locale'])
    .where('role', 'in', rolesThatCan('webhooks.manage')).where('state', '=', 'active').orderBy('id').execute();
  for (const person of admins) {
    await queueMail(trx, await composeMail(trx, mail, {
      to: person, template: 'emails/webhook-disabled',
      subject: (t) => t('mail.webhookDisabled.subject', { url: subscription.url }),
      data: { person, url: subscription.url, failures, lastError, link: `${mail.baseUrl}/admin/webhooks/${subscription.id}` },
    }));
  }
}
