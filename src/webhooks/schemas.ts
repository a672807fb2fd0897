import * as z from 'zod';
import { flag, list, longText, optionalId, text, withBlank } from '../lib/form.js';
import { WEBHOOK_EVENTS, type WebhookEvent } from './events.js';

/**
 * A subscriber's address: http or https, no user name or password in it (they would be shown in the
 * log), no fragment. Where it leads (a private address?) is checked when sending, on the address
 * the name resolves to then.
 */
export function isWebhookUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && !url.username && !url.password && !url.hash;
}

const eventList = withBlank(list().refine((names) => names.length > 0, { error: 'webhooks.errors.noEvents' })
  .refine((names) => names.every((name) => (WEBHOOK_EVENTS as readonly string[]).includes(name)), { error: 'errors.choice' })
  .transform((names): WebhookEvent[] => WEBHOOK_EVENTS.filter((name) => names.includes(name))), []);

/** The subscription form (new and edit): what the verbs take. */
export const subscriptionSchema = z.object({
  url: withBlank(text({ max: 1000 }).refine((value) => value === '' || isWebhookUrl(value), { error: 'webhooks.errors.url' }), ''),
  description: longText({ required: false, max: 500 }),
  events: eventList,
  groupId: optionalId(),
  typeId: optionalId(),
  enabled: flag(),
});

export interface SubscriptionInput {
  url: string;
  description: string;
  events: WebhookEvent[];
  /** Only tickets of this group / type (null: any). */
  groupId: number | null;
  typeId: number | null;
  enabled: boolean;
}

export type SubscriptionForm = z.output<typeof subscriptionSchema>;
