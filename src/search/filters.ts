import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { StatusCategory } from '../db/schema.js';
import { rolesOn } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { COMMON_TAG, taggedTicketsUpTo } from '../tags/queries.js';
import { normaliseTag } from '../tags/schemas.js';
import type { FilterKey, ParsedQuery } from './parse.js';

const CATEGORIES: StatusCategory[] = ['draft', 'new', 'open', 'pending', 'on_hold', 'solved', 'closed', 'cancelled'];
/** Enough for any real name match ("org:acme" → Acme, Acme Labs), bounded for a one-letter prefix. */
const MAX_IDS = 50;

/**
 * The filters of a query as ticket column conditions. A filter that names nothing (no status
 * called "pendng") is reported back, so the page can say so instead of silently ignoring it.
 */
export interface TicketConditions {
  statusIds?: number[];
  assignee?: number | 'none';
  typeIds?: number[];
  organizationIds?: number[];
  /** Tickets carrying every one of these tags. */
  tagIds?: number[];
  /**
   * The rarest of them when it is on fewer than COMMON_TAG tickets: its tickets can drive the search
   * (agent-hits.ts) instead of the word's matches being checked one by one.
   */
  rareTag?: { id: number; tickets: number };
  unknown: { key: FilterKey; value: string }[];
}

const lowered = (column: string) => sql<string>`lower(${sql.ref(column)})`;

export async function resolveFilters(db: Db, actor: Actor, filters: ParsedQuery['filters']): Promise<TicketConditions> {
  const out: TicketConditions = { unknown: [] };
  const ids = (rows: { id: number }[], key: FilterKey, value: string) => {
    if (rows.length === 0) out.unknown.push({ key, value });
    return rows.map((r) => r.id);
  };
  if (filters.status) {
    const value = filters.status.toLowerCase();
    const category = value.replace(/[\s-]+/g, '_');
    const rows = await db.selectFrom('statuses').select('id')
      .where((eb) => eb.or([eb(lowered('name'), '=', value),
        ...(CATEGORIES.includes(category as StatusCategory) ? [eb('category', '=', category as StatusCategory)] : [])]))
      .execute();
    out.statusIds = ids(rows, 'status', filters.status);
  }
  if (filters.assignee) {
    const value = filters.assignee.toLowerCase();
    if (value === 'me') out.assignee = actor.id;
    else if (value === 'none' || value === 'unassigned') out.assignee = 'none';
    else {
      const row = await db.selectFrom('users').select('id').where('role', 'in', rolesOn('staff'))
        .where((eb) => eb.or([eb(lowered('email'), '=', value), eb(lowered('name'), '=', value)]))
        .orderBy('id').executeTakeFirst();
      if (row) out.assignee = row.id;
      else out.unknown.push({ key: 'assignee', value: filters.assignee });
    }
  }
  if (filters.type) {
    const rows = await db.selectFrom('ticket_types').select('id')
      .where(lowered('name'), '=', filters.type.toLowerCase()).execute();
    out.typeIds = ids(rows, 'type', filters.type);
  }
  if (filters.org) {
    // The name or its beginning: "org:acme" finds "Acme Corp". LIKE's own wildcards are literal.
    const prefix = `${filters.org.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await db.selectFrom('organizations').select('id')
      .where(sql<boolean>`lower(name) like ${prefix} escape '\\'`).orderBy('id').limit(MAX_IDS).execute();
    out.organizationIds = ids(rows, 'org', filters.org);
  }
  if (filters.tag) {
    out.tagIds = [];
    for (const value of filters.tag.split(/\s+/).slice(0, 10)) {
      const name = normaliseTag(value);
      const row = name === null ? undefined : await db.selectFrom('tags').select('id').where('name', '=', name).executeTakeFirst();
      if (row) out.tagIds.push(row.id);
      else out.unknown.push({ key: 'tag', value });
    }
    for (const id of out.tagIds) {
      const tickets = await taggedTicketsUpTo(db, id);
      if (tickets < COMMON_TAG && tickets < (out.rareTag?.tickets ?? COMMON_TAG)) out.rareTag = { id, tickets };
    }
  }
  return out;
}
