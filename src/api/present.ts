import { createHash } from 'node:crypto';
import type { Db } from '../db/connect.js';
import type { MessageKind } from '../db/schema.js';
import { listAttachmentsForMessages } from '../attachments/queries.js';
import { can, sideOf } from '../policy/can.js';
import { tagsOfTickets } from '../tags/queries.js';
import { listCcs, listFieldValues, listMessages, visibleTicketDetails } from '../tickets/queries.js';
import type { Actor } from '../users/actor.js';

/**
 * Rows as the API shows them, by who is asking: staff read every property of a ticket, customers
 * what the portal shows them (the status's customer label, no assignee, group, type, priority,
 * tags, internal fields or notes). Every read starts from the actor's scope (visibleTicketDetails).
 */

type DetailRow = NonNullable<Awaited<ReturnType<ReturnType<typeof visibleTicketDetails>['executeTakeFirst']>>>;

/** The version of a ticket for `ETag` / `If-Match`: any change stamps `updated_at` (kernel/change.ts). */
export function etagOf(ticket: { id: number; updated_at: string }): string {
  return `"${createHash('sha256').update(`${ticket.id}:${ticket.updated_at}`).digest('base64url').slice(0, 22)}"`;
}

/** Tickets by id, in the order given, each as the actor may see it (those out of scope are left out). */
export async function presentTickets(db: Db, actor: Actor, ids: readonly number[], options: { detail: boolean }) {
  if (ids.length === 0) return [];
  const rows = await visibleTicketDetails(db, actor).where('tickets.id', 'in', [...ids]).execute();
  const byId = new Map(rows.map((row) => [row.id, row]));
  const staff = sideOf(actor) === 'staff';
  const tags = staff ? await tagsOfTickets(db, ids) : new Map<number, string[]>();
  const shown = [];
  for (const id of ids) {
    const row = byId.get(id);
    if (!row) continue;
    const ticket: Record<string, unknown> = staff ? staffView(row, tags.get(id) ?? []) : customerView(row);
    if (options.detail) {
      const values = await listFieldValues(db, id, { customerVisibleOnly: !staff });
      ticket.fields = Object.fromEntries(values.map((v) => [v.key, v.value]));
      ticket.ccs = (await listCcs(db, id)).map((cc) => ({ id: cc.id, name: cc.name, email: cc.email }));
    }
    shown.push({ ticket, etag: etagOf(row) });
  }
  return shown;
}

function staffView(row: DetailRow, tags: string[]) {
  return {
    id: row.id, subject: row.subject,
    status: { id: row.status_id, name: row.status_name, category: row.status_category },
    priority: row.priority, visibility: row.visibility,
    type: { id: row.type_id, name: row.type_name },
    requester: { id: row.requester_id, name: row.requester_name, email: row.requester_email },
    organization: row.organization_id === null ? null : { id: row.organization_id, name: row.organization_name ?? '' },
    assignee: row.assignee_id === null ? null : { id: row.assignee_id, name: row.assignee_name ?? '' },
    group: row.group_id === null ? null : { id: row.group_id, name: row.group_name ?? '' },
    brand: { id: row.brand_id, name: row.brand_name },
    channel: row.channel, tags,
    createdAt: row.created_at, updatedAt: row.updated_at, lastActivityAt: row.last_activity_at,
    solvedAt: row.solved_at, closedAt: row.closed_at,
  };
}

function customerView(row: DetailRow) {
  return {
    id: row.id, subject: row.subject,
    status: { name: row.status_label || row.status_name, category: row.status_category },
    requester: { id: row.requester_id, name: row.requester_name },
    organization: row.organization_id === null ? null : { id: row.organization_id, name: row.organization_name ?? '' },
    createdAt: row.created_at, updatedAt: row.updated_at, lastActivityAt: row.last_activity_at,
  };
}

const ALL_KINDS: MessageKind[] = ['reply', 'update', 'note', 'chat'];

/** A ticket's messages the actor may read (customers never a note), oldest first, with their files. */
export async function presentMessages(db: Db, actor: Actor, ticketId: number, onlyId?: number) {
  const kinds = ALL_KINDS.filter((kind) => can(actor, 'message.see', { kind }));
  const messages = (await listMessages(db, ticketId, kinds)).filter((m) => onlyId === undefined || m.id === onlyId);
  const files = await listAttachmentsForMessages(db, messages.map((m) => m.id));
  return messages.map((m) => ({
    id: m.id, kind: m.kind,
    author: { id: m.author_id, name: m.author_name, side: m.author_role ? sideOf({ role: m.author_role }) : null },
    bodyText: m.body_text, bodyHtml: m.body_html, via: m.via, createdAt: m.created_at,
    attachments: (files.get(m.id) ?? []).map(presentAttachment),
  }));
}

export function presentAttachment(a: { id: number; filename: string; size: number; content_type?: string; contentType?: string }) {
  return { id: a.id, filename: a.filename, size: a.size, contentType: a.content_type ?? a.contentType ?? '', href: `/api/v1/attachments/${a.id}` };
}
