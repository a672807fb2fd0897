import type { StreamEvent } from '../events/record.js';

/**
 * What a subscription can ask for. A message is public (a reply, an update, a chat line: what the
 * customer reads) or internal (a note): two events, so a receiver that only wants the conversation
 * never gets an internal note by mistake.
 */
export const WEBHOOK_EVENTS = [
  'ticket.created', 'ticket.changed', 'message.added.public', 'message.added.internal', 'rating.added', 'ticket.deleted',
] as const;

export type WebhookEvent = typeof WEBHOOK_EVENTS[number];

/** The webhook event a stream event is, or null when webhooks say nothing of it. */
export function webhookEventOf(event: StreamEvent): WebhookEvent | null {
  switch (event.kind) {
    case 'ticket.created':
    case 'ticket.changed':
    case 'rating.added':
    case 'ticket.deleted':
      return event.kind;
    case 'message.added':
      return event.payload.kind === 'note' ? 'message.added.internal' : 'message.added.public';
    default:
      return null;
  }
}

/** The stored list of a subscription's events (unknown names dropped). */
export function readEvents(json: string): WebhookEvent[] {
  try {
    const list = JSON.parse(json) as unknown;
    return Array.isArray(list) ? WEBHOOK_EVENTS.filter((name) => list.includes(name)) : [];
  } catch {
    return [];
  }
}
