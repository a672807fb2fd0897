import type { Db } from '../../src/db/connect.js';
import type { Role } from '../../src/db/schema.js';
import { hashPassword } from '../../src/lib/crypto.js';
import { nowIso } from '../../src/lib/time.js';

export const PASSWORD = 'correct horse battery';
let counter = 0;
let hashed: Promise<string> | null = null;

/** A person who can log in with PASSWORD (the hash is computed once per test process: scrypt is slow). */
export async function makeUser(db: Db, role: Role, fields: { email?: string; name?: string; organizationId?: number | null; state?: 'active' | 'invited' | 'disabled' } = {}) {
  counter++;
  hashed ??= hashPassword(PASSWORD);
  const now = nowIso();
  const email = fields.email ?? `${role}${counter}@example.test`;
  const row = await db.insertInto('users').values({
    email, name: fields.name ?? `${role[0]!.toUpperCase()}${role.slice(1)} ${counter}`, role,
    state: fields.state ?? 'active', password_hash: await hashed, organization_id: fields.organizationId ?? null,
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
      service_id: null, channel: 'agent' as const, created_by_id: null, created_at: at, updated_at: at, last_activity_at: at,
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

/** The ticket ids a list page links to, in order. */
export function ticketIdsIn(html: string): number[] {
  return [...html.matchAll(/href="\/(?:agent|portal)\/tickets\/(\d+)"/g)].map((m) => Number(m[1]));
}
