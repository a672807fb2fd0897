import type { Db } from '../db/connect.js';
import type { Role } from '../db/schema.js';
import type { StreamEvent } from '../events/record.js';
import { CUSTOMER_MESSAGE_KINDS } from '../policy/can.js';
import type { WebhookEvent } from './events.js';

// The resources a webhook body carries: plain JSON views of a ticket, a message, a rating and a
// person, as an API shows them to staff (ids, names, times in ISO-8601 UTC, links to the desk).
// Read from the database when the event is handed to the consumer; nothing internal about how rows
// are stored (hashes, storage keys, mail headers) goes out.

export interface PersonView { id: number; name: string; email: string; role: Role }
export interface NamedView { id: number; name: string }

export interface TicketView {
  id: number;
  url: string;
  subject: string;
  status: { id: number; name: string; category: string; customerLabel: string };
  priority: string;
  visibility: 'public' | 'internal';
  channel: string;
  type: NamedView;
  brand: NamedView;
  group: NamedView | null;
  organization: NamedView | null;
  requester: PersonView | null;
  assignee: PersonView | null;
  ccs: PersonView[];
  tags: string[];
  /** Custom field values by the field's key (staff-only fields included: subscriptions are an admin's). */
  fields: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  firstResponseAt: string | null;
  solvedAt: string | null;
  closedAt: string | null;
}

export interface MessageView {
  id: number;
  ticketId: number;
  /** reply | update | chat (public) or note (internal). */
  kind: string;
  public: boolean;
  author: PersonView | null;
  via: string;
  bodyText: string;
  bodyHtml: string;
  attachments: { id: number; filename: string; contentType: string; size: number; url: string }[];
  createdAt: string;
}

export interface RatingView { id: number; score: 'good' | 'bad'; comment: string; by: PersonView | null; createdAt: string }

/** What a delivery's body says besides its id, event name and timestamp. */
export interface WebhookData {
  occurredAt: string;
  actor: PersonView | null;
  ticket: TicketView | { id: number };
  changes?: { kind: string; field: string | null; from: string | null; to: string | null }[];
  message?: MessageView;
  rating?: RatingView;
  reason?: string;
}

const PERSON = ['id', 'name', 'email', 'role'] as const;

async function person(db: Db, id: number | null): Promise<PersonView | null> {
  if (id === null) return null;
  return (await db.selectFrom('users').select(PERSON).where('id', '=', id).executeTakeFirst()) ?? null;
}

async function named(db: Db, table: 'groups' | 'organizations' | 'ticket_types' | 'brands', id: number | null): Promise<NamedView | null> {
  if (id === null) return null;
  return (await db.selectFrom(table).select(['id', 'name']).where('id', '=', id).executeTakeFirst()) ?? null;
}

/** A ticket as the API shows it to staff; undefined when it is gone (deleted, or in the recycle bin). */
export async function ticketView(db: Db, ticketId: number, baseUrl: string): Promise<TicketView | undefined> {
  const t = await db.selectFrom('tickets').selectAll().where('id', '=', ticketId).where('binned_at', 'is', null).executeTakeFirst();
  if (!t) return undefined;
  const status = await db.selectFrom('statuses').select(['id', 'name', 'category', 'customer_label']).where('id', '=', t.status_id).executeTakeFirstOrThrow();
  const [tags, fields, ccs] = await Promise.all([
    db.selectFrom('ticket_tags').innerJoin('tags', 'tags.id', 'ticket_tags.tag_id').select('tags.name').where('ticket_tags.ticket_id', '=', ticketId).orderBy('tags.name').execute(),
    db.selectFrom('ticket_field_values').innerJoin('fields', 'fields.id', 'ticket_field_values.field_id')
      .select(['fields.key', 'ticket_field_values.value']).where('ticket_field_values.ticket_id', '=', ticketId).orderBy('fields.key').execute(),
    db.selectFrom('ticket_ccs').innerJoin('users', 'users.id', 'ticket_ccs.user_id')
      .select(['users.id', 'users.name', 'users.email', 'users.role']).where('ticket_ccs.ticket_id', '=', ticketId).orderBy('users.id').execute(),
  ]);
  return {
    id: t.id, url: `${baseUrl}/agent/tickets/${t.id}`, subject: t.subject,
    status: { id: status.id, name: status.name, category: status.category, customerLabel: status.customer_label },
    priority: t.priority, visibility: t.visibility, channel: t.channel,
    type: (await named(db, 'ticket_types', t.type_id)) ?? { id: t.type_id, name: '' },
    brand: (await named(db, 'brands', t.brand_id)) ?? { id: t.brand_id, name: '' },
    group: await named(db, 'groups', t.group_id), organization: await named(db, 'organizations', t.organization_id),
    requester: await person(db, t.requester_id), assignee: await person(db, t.assignee_id), ccs,
    tags: tags.map((row) => row.name), fields: Object.fromEntries(fields.map((row) => [row.key, row.value])),
    createdAt: t.created_at, updatedAt: t.updated_at, firstResponseAt: t.first_response_at, solvedAt: t.solved_at, closedAt: t.closed_at,
  };
}

export async function messageView(db: Db, messageId: number, baseUrl: string): Promise<MessageView | undefined> {
  const m = await db.selectFrom('messages').selectAll().where('id', '=', messageId).executeTakeFirst();
  if (!m) return undefined;
  const files = await db.selectFrom('attachments').select(['id', 'filename', 'content_type', 'size']).where('message_id', '=', messageId).orderBy('id').execute();
  return {
    id: m.id, ticketId: m.ticket_id, kind: m.kind, public: CUSTOMER_MESSAGE_KINDS.includes(m.kind), author: await person(db, m.author_id), via: m.via,
    bodyText: m.body_text, bodyHtml: m.body_html,
    attachments: files.map((f) => ({ id: f.id, filename: f.filename, contentType: f.content_type, size: f.size, url: `${baseUrl}/attachments/${f.id}/${encodeURIComponent(f.filename)}` })),
    createdAt: m.created_at,
  };
}

async function ratingView(db: Db, ratingId: number): Promise<RatingView | undefined> {
  const r = await db.selectFrom('ratings').selectAll().where('id', '=', ratingId).executeTakeFirst();
  if (!r) return undefined;
  return { id: r.id, score: r.score, comment: r.comment, by: await person(db, r.user_id), createdAt: r.created_at };
}

/**
 * The body's content for one stream event, or null when there is nothing left to tell (the ticket,
 * message or rating is gone since). A public message's body carries that message and the ticket,
 * never another message: an internal note only ever travels as `message.added.internal`.
 */
export async function webhookData(db: Db, name: WebhookEvent, event: StreamEvent, baseUrl: string): Promise<WebhookData | null> {
  const ticketId = event.ticketId;
  if (ticketId === null) return null;
  const common = { occurredAt: event.createdAt, actor: await person(db, event.actorId) };
  if (name === 'ticket.deleted') return { ...common, ticket: { id: ticketId }, reason: String(event.payload.reason ?? 'deleted') };
  const ticket = await ticketView(db, ticketId, baseUrl);
  if (!ticket) return null;
  switch (name) {
    case 'ticket.created':
      return { ...common, ticket };
    case 'ticket.changed': {
      const changes = (event.payload.changes ?? []) as NonNullable<WebhookData['changes']>;
      return { ...common, ticket, changes: changes.map((c) => ({ kind: c.kind, field: c.field ?? null, from: c.from ?? null, to: c.to ?? null })) };
    }
    case 'message.added.public':
    case 'message.added.internal': {
      const message = await messageView(db, Number(event.payload.messageId), baseUrl);
      // The event's name says which kind it was when written: a message must still be of that side.
      if (!message || message.public !== (name === 'message.added.public')) return null;
      return { ...common, ticket, message };
    }
    case 'rating.added': {
      const rating = await ratingView(db, Number(event.payload.ratingId));
      return rating ? { ...common, ticket, rating } : null;
    }
  }
}
