import { randomBytes, scryptSync } from 'node:crypto';
import type { Db } from '../../src/db/connect.js';
import type { MessageKind, Role } from '../../src/db/schema.js';
import { nowIso } from '../../src/lib/time.js';

export const PASSWORD = 'correct horse battery';
let counter = 0;
let hashed: string | null = null;

/**
 * The scrypt cost of the factories' password hashes. The app checks a password with the parameters
 * stored in its hash (`scrypt$N$r$p$salt$hash`, src/lib/crypto.ts), so a person made here logs in
 * through the real check at a sixteenth of the cost; a password set through the app (setup, reset,
 * invitation, account page) is hashed at the production cost, N=16384, which
 * test/meta/factories.test.ts holds.
 */
export const TEST_SCRYPT_N = 1024;

/** PASSWORD's hash at TEST_SCRYPT_N, computed once per test process. */
function passwordHash(): string {
  if (!hashed) {
    const salt = randomBytes(16);
    const key = scryptSync(PASSWORD, salt, 64, { N: TEST_SCRYPT_N, r: 8, p: 1 });
    hashed = ['scrypt', TEST_SCRYPT_N, 8, 1, salt.toString('base64'), key.toString('base64')].join('$');
  }
  return hashed;
}

export interface UserFields {
  email?: string;
  name?: string;
  organizationId?: number | null;
  state?: 'active' | 'invited' | 'disabled';
  /** null: no password at all (an invitation not yet taken up); PASSWORD unless told. */
  password?: null;
}

/** A person, straight into the table, who can log in with PASSWORD unless `password: null`. */
export async function makeUser(db: Db, role: Role, fields: UserFields = {}) {
  counter++;
  const now = nowIso();
  const email = fields.email ?? `${role}${counter}@example.test`;
  const row = await db.insertInto('users').values({
    email, name: fields.name ?? `${role[0]!.toUpperCase()}${role.slice(1)} ${counter}`, role,
    state: fields.state ?? 'active', password_hash: fields.password === null ? null : passwordHash(), organization_id: fields.organizationId ?? null,
    created_at: now, updated_at: now,
  }).returning(['id', 'email', 'name']).executeTakeFirstOrThrow();
  return row;
}

export interface TicketFields {
  subject?: string;
  statusId?: number;
  priority?: 'low' | 'normal' | 'high' | 'urgent';
  requesterId: number;
  assigneeId?: number | null;
  groupId?: number | null;
  typeId?: number;
  brandId?: number;
  organizationId?: number | null;
  visibility?: 'public' | 'internal';
  serviceId?: number | null;
  channel?: 'portal' | 'email' | 'agent' | 'api';
  createdById?: number | null;
  /** Created (and last active) at; one minute apart from 2026-01-01 unless told. */
  at?: string;
}

/** Tickets straight into the table (many at once), for list and permission tests. */
export async function makeTickets(db: Db, count: number, fields: TicketFields | ((i: number) => TicketFields)) {
  const rows = Array.from({ length: count }, (_, i) => {
    const f = typeof fields === 'function' ? fields(i) : fields;
    const at = f.at ?? new Date(Date.parse('2026-01-01T00:00:00Z') + i * 60_000).toISOString();
    return {
      subject: f.subject ?? `Ticket ${i}`, type_id: f.typeId ?? 1, brand_id: f.brandId ?? 1, status_id: f.statusId ?? 1,
      priority: f.priority ?? 'normal', visibility: f.visibility ?? 'public', requester_id: f.requesterId,
      organization_id: f.organizationId ?? null, assignee_id: f.assigneeId ?? null, group_id: f.groupId ?? null,
      service_id: f.serviceId ?? null, channel: f.channel ?? 'agent', created_by_id: f.createdById ?? null, created_at: at, updated_at: at, last_activity_at: at,
      last_replier_id: null, first_response_at: null, solved_at: null, closed_at: null,
    };
  });
  const ids: number[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    const inserted = await db.insertInto('tickets').values(rows.slice(i, i + 500)).returning('id').execute();
    ids.push(...inserted.map((r) => r.id));
  }
  return ids;
}

/** One ticket straight into the table; its id. */
export async function makeTicket(db: Db, fields: TicketFields): Promise<number> {
  const [id] = await makeTickets(db, 1, fields);
  return id!;
}

export interface MessageFields {
  /** null: no author (a system message). */
  authorId: number | null;
  kind?: MessageKind;
  text?: string;
  /** The stored HTML; `<p>text</p>` unless told. */
  html?: string;
  via?: 'web' | 'email' | 'api';
  emailMessageId?: string | null;
  matchReason?: string | null;
  at?: string;
}

/**
 * A message on a ticket straight into the table, as if written long ago: no mail, no history, the
 * ticket's own columns untouched. Its id.
 */
export async function makeMessage(db: Db, ticketId: number, fields: MessageFields): Promise<number> {
  const row = await db.insertInto('messages').values(messageRow(ticketId, fields)).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Many messages straight into the table, 500 at a time (their ids follow the order given), as makeMessage. */
export async function makeMessages(db: Db, messages: readonly (MessageFields & { ticketId: number })[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 500) {
    await db.insertInto('messages').values(messages.slice(i, i + 500).map((m) => messageRow(m.ticketId, m))).execute();
  }
}

function messageRow(ticketId: number, fields: MessageFields) {
  const kind = fields.kind ?? 'reply';
  const text = fields.text ?? `A ${kind}`;
  return {
    ticket_id: ticketId, author_id: fields.authorId, kind, body_text: text, body_html: fields.html ?? `<p>${text}</p>`,
    via: fields.via ?? 'web' as const, email_message_id: fields.emailMessageId ?? null, match_reason: fields.matchReason ?? null,
    created_at: fields.at ?? nowIso(),
  };
}

export interface EventFields {
  actorId: number | null;
  kind: string;
  field?: string | null;
  from?: string | null;
  to?: string | null;
  at?: string;
}

/** A line of a ticket's history straight into the table; its id. */
export async function makeEvent(db: Db, ticketId: number, fields: EventFields): Promise<number> {
  const row = await db.insertInto('ticket_events').values({
    ticket_id: ticketId, actor_id: fields.actorId, kind: fields.kind, field: fields.field ?? null,
    from_value: fields.from ?? null, to_value: fields.to ?? null, created_at: fields.at ?? nowIso(),
  }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** People copied on a ticket. */
export async function makeCcs(db: Db, ticketId: number, ...userIds: number[]): Promise<void> {
  await db.insertInto('ticket_ccs').values(userIds.map((userId) => ({ ticket_id: ticketId, user_id: userId }))).execute();
}

/** The ticket ids a list page links to, in order. */
export function ticketIdsIn(html: string): number[] {
  return [...html.matchAll(/href="\/(?:agent|portal)\/tickets\/(\d+)"/g)].map((m) => Number(m[1]));
}
