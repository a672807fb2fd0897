import type { Trx } from '../db/connect.js';
import type { MessageKind, Priority, StatusCategory } from '../db/schema.js';
import { recordEvent } from '../events/record.js';
import { nowIso } from '../lib/time.js';
import { statusStamps } from '../tickets/status.js';
import type { Actor } from '../users/actor.js';
import type { ChangeNotice } from './change.js';
import { writeFieldValues } from './fields.js';
import { writeHistory } from './history.js';
import { insertMessage, type MessageContent } from './messages.js';

/** Who hears that a ticket arrived: its requester (a confirmation), its group (an alert). */
export interface Announce { requester: boolean; group: boolean }
export const NO_ANNOUNCE: Announce = { requester: false, group: false };

/** Where a ticket came from. `mail` is stored as `email`, `import` as `api` (the column's values). */
export type Channel = 'agent' | 'portal' | 'mail' | 'api' | 'import';

const CHANNEL_COLUMN = { agent: 'agent', portal: 'portal', mail: 'email', api: 'api', import: 'api' } as const;

export interface CreateTicketInput {
  channel: Channel;
  subject: string;
  typeId: number;
  brandId: number;
  statusId: number;
  /** The status's category, when the caller has just read it in this transaction (one query less). */
  statusCategory?: StatusCategory;
  priority: Priority;
  visibility: 'public' | 'internal';
  requester: { id: number; organizationId: number | null };
  groupId: number | null;
  serviceId?: number | null;
  /**
   * Who is told of the new ticket (by the notifications consumer, from the event): the requester
   * gets a confirmation, the group's members who asked for it an alert. Nobody by default.
   */
  announce?: Announce;
  /** Who else hears of it by mail (e.g. a requester made for this ticket is invited). */
  notify?: ChangeNotice;
  /** Custom field values given with the ticket (field id → value, see fields/fields.ts): part of its creation, no history lines. */
  fields?: ReadonlyMap<number, string>;
  /** The first message, written by the actor. */
  message: MessageContent & { kind: MessageKind };
  /** When it happened: now, unless an import keeps the original time. */
  at?: string;
}

/**
 * Open a ticket: the ticket row (in the given status, its solved/closed stamps set to match), its
 * first message with its files, its custom field values, one 'created' history line and one `ticket.created` event, in the
 * caller's transaction. Checks (who may, what is valid) are the caller's; routing (group, status)
 * is decided by the caller too and passed in.
 */
export async function createTicket(trx: Trx, actor: Actor, input: CreateTicketInput): Promise<{ ticketId: number; messageId: number }> {
  const now = input.at ?? nowIso();
  const status = input.statusCategory !== undefined ? { category: input.statusCategory }
    : await trx.selectFrom('statuses').select('category').where('id', '=', input.statusId).executeTakeFirstOrThrow();
  const ticket = { id: await insertTicketRow(trx, {
    subject: input.subject, typeId: input.typeId, brandId: input.brandId, statusId: input.statusId, statusCategory: status.category,
    priority: input.priority, visibility: input.visibility, requesterId: input.requester.id, organizationId: input.requester.organizationId,
    groupId: input.groupId, serviceId: input.serviceId ?? null, channel: input.channel, createdById: actor.id, lastReplierId: actor.id,
  }, now) };
  // Sent together: none needs another's answer, and on PostgreSQL the connection sends each as soon
  // as the one before is done, without a turn of the event loop in between: in the writer lock,
  // behind every other request's work, each such turn cost more than the statement.
  const [messageId] = await Promise.all([
    insertMessage(trx, actor, ticket.id, input.message, now),
    input.fields && input.fields.size > 0 ? writeFieldValues(trx, ticket.id, input.fields) : undefined,
    writeHistory(trx, ticket.id, actor.id, [{ kind: 'created', from: null, to: input.subject }], now),
  ]);
  await recordEvent(trx, {
    kind: 'ticket.created', ticketId: ticket.id, actorId: actor.id, at: now,
    payload: { channel: input.channel, messageId, statusId: input.statusId, requesterId: input.requester.id, announce: input.announce ?? NO_ANNOUNCE,
      ...(input.notify ? { notify: input.notify } : {}) },
  });
  return { ticketId: ticket.id, messageId };
}

/** What a new ticket's row holds beyond its times (derived here from `now` and the status). */
export interface TicketRow {
  subject: string; typeId: number; brandId: number; statusId: number; statusCategory: StatusCategory;
  priority: Priority; visibility: 'public' | 'internal'; requesterId: number; organizationId: number | null;
  groupId: number | null; serviceId: number | null; channel: Channel; createdById: number; lastReplierId: number | null;
}

/** The one insert of a tickets row, for createTicket and splitTicket (kernel/links.ts): nobody assigned, no reply yet. */
export async function insertTicketRow(trx: Trx, t: TicketRow, now: string): Promise<number> {
  const row = await trx.insertInto('tickets').values({
    subject: t.subject, type_id: t.typeId, brand_id: t.brandId, status_id: t.statusId, priority: t.priority, visibility: t.visibility,
    requester_id: t.requesterId, organization_id: t.organizationId, assignee_id: null, group_id: t.groupId, service_id: t.serviceId,
    channel: CHANNEL_COLUMN[t.channel], created_by_id: t.createdById, created_at: now, updated_at: now, last_activity_at: now,
    last_replier_id: t.lastReplierId, first_response_at: null, ...statusStamps(t.statusCategory, { solved_at: null, closed_at: null }, now),
  }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}
