// Where `deskbell demo` puts its rows. The generator (demo-people.ts, demo-tickets.ts) stays the same
// on both databases; it hands the tickets over a batch at a time, as plain data (`DemoBatch`), so that
// it can run on a thread of its own (demo-batches.ts). A sink per database writes each batch:
// multi-row inserts on SQLite (demo-sqlite.ts), one insert from arrays per table on PostgreSQL
// (demo-postgres.ts). Both build their statements from the column lists below.

import type { Role } from '../db/schema.js';

type Kind = 'integer' | 'text';

export interface DemoTable {
  name: 'tickets' | 'messages' | 'ticket_events' | 'ticket_field_values' | 'ticket_seen' | 'ticket_tags';
  columns: readonly (readonly [name: string, kind: Kind])[];
  /** Appended to the insert (the same text on both databases). */
  onConflict?: string;
}

export const TICKETS = {
  name: 'tickets',
  columns: [['subject', 'text'], ['type_id', 'integer'], ['brand_id', 'integer'], ['status_id', 'integer'], ['priority', 'text'],
    ['visibility', 'text'], ['requester_id', 'integer'], ['organization_id', 'integer'], ['assignee_id', 'integer'],
    ['group_id', 'integer'], ['channel', 'text'], ['created_by_id', 'integer'], ['created_at', 'text'], ['updated_at', 'text'],
    ['last_activity_at', 'text'], ['last_replier_id', 'integer'], ['first_response_at', 'text'], ['solved_at', 'text'], ['closed_at', 'text']],
} as const satisfies DemoTable;
export const MESSAGES = {
  name: 'messages',
  columns: [['ticket_id', 'integer'], ['author_id', 'integer'], ['kind', 'text'], ['body_text', 'text'], ['body_html', 'text'],
    ['via', 'text'], ['created_at', 'text']],
} as const satisfies DemoTable;
export const EVENTS = {
  name: 'ticket_events',
  columns: [['ticket_id', 'integer'], ['actor_id', 'integer'], ['kind', 'text'], ['from_value', 'text'], ['to_value', 'text'], ['created_at', 'text']],
} as const satisfies DemoTable;
export const VALUES = {
  name: 'ticket_field_values',
  columns: [['ticket_id', 'integer'], ['field_id', 'integer'], ['value', 'text']],
} as const satisfies DemoTable;
export const SEEN = {
  name: 'ticket_seen',
  columns: [['ticket_id', 'integer'], ['user_id', 'integer'], ['seen_at', 'text']],
  onConflict: 'on conflict (user_id, ticket_id) do update set seen_at = excluded.seen_at',
} as const satisfies DemoTable;

export const TAGGED = {
  name: 'ticket_tags',
  columns: [['ticket_id', 'integer'], ['tag_id', 'integer']],
} as const satisfies DemoTable;

const TICKETS_WITH_IDS = { ...TICKETS, columns: [['id', 'integer'], ...TICKETS.columns] } as const satisfies DemoTable;
/** The tables of a batch, in the order they are written (the tickets first: the others point at them). Each starts with the ticket's id. */
export const LOADED = [TICKETS_WITH_IDS, MESSAGES, EVENTS, VALUES, SEEN, TAGGED] as const;

export type TicketRow = [subject: string, typeId: number, brandId: number, statusId: number, priority: string, visibility: 'public',
  requesterId: number, organizationId: number | null, assigneeId: number | null, groupId: number, channel: string, createdById: number,
  createdAt: string, updatedAt: string, lastActivityAt: string, lastReplierId: number, firstResponseAt: string | null,
  solvedAt: string | null, closedAt: string | null];
export type MessageRow = [ticketId: number, authorId: number, kind: string, bodyText: string, bodyHtml: string, via: string, createdAt: string];
export type EventRow = [ticketId: number, actorId: number | null, kind: string, fromValue: string | null, toValue: string | null, createdAt: string];
export type ValueRow = [ticketId: number, fieldId: number, value: string];
export type SeenRow = [ticketId: number, userId: number, seenAt: string];
export type TaggedRow = [ticketId: number, tagId: number];

/** The rows of one batch, in the column order above. `ticket` answers with the number to put in the ticket's other rows. */
export interface DemoRows {
  ticket(row: TicketRow): number;
  message(row: MessageRow): void;
  event(row: EventRow): void;
  value(row: ValueRow): void;
  seen(row: SeenRow): void;
  tagged(row: TaggedRow): void;
}

/** Find-or-create by name or address (ignoring case). SQLite answers at once, PostgreSQL later. */
export interface PeopleStore {
  organization(name: string, domain: string, sharesTickets: 0 | 1, now: string): number | Promise<number>;
  /** An existing person keeps their row and gets the new password (and is active). */
  user(email: string, name: string, role: Role, passwordHash: string, organizationId: number | null, now: string): number | Promise<number>;
  group(name: string, description: string, now: string): number | Promise<number>;
  join(groupId: number, userId: number): void | Promise<void>;
  /** A tag by its (normalised) name. */
  tag(name: string): number | Promise<number>;
}

/**
 * One batch of tickets and their rows as plain data (it crosses threads): each table's rows in one flat
 * array of values, in the column order of `LOADED`. Where a row names its ticket (the first column of
 * every table), it holds the ticket's place in the batch, from 0, until `giveTicketIds`.
 */
export interface DemoBatch {
  tickets: number;
  rows: Record<(typeof LOADED)[number]['name'], unknown[]>;
}

/** The rows `fill` hands over, as a batch. */
export function collectBatch(fill: (rows: DemoRows) => void): DemoBatch {
  const batch: DemoBatch = { tickets: 0, rows: { tickets: [], messages: [], ticket_events: [], ticket_field_values: [], ticket_seen: [], ticket_tags: [] } };
  const { rows } = batch;
  fill({
    ticket(row) {
      rows.tickets.push(batch.tickets, ...row);
      return batch.tickets++;
    },
    message: (row) => void rows.messages.push(...row),
    event: (row) => void rows.ticket_events.push(...row),
    value: (row) => void rows.ticket_field_values.push(...row),
    seen: (row) => void rows.ticket_seen.push(...row),
    tagged: (row) => void rows.ticket_tags.push(...row),
  });
  return batch;
}

/** Each ticket's place in the batch replaced by its id, in every table. */
export function giveTicketIds(batch: DemoBatch, idOf: (place: number) => number): void {
  for (const table of LOADED) {
    const values = batch.rows[table.name];
    for (let i = 0; i < values.length; i += table.columns.length) values[i] = idOf(values[i] as number);
  }
}

export interface DemoSink {
  /** Tickets per batch (one transaction each). */
  readonly batchSize: number;
  /** The whole load (on SQLite, past the search triggers, with the index rebuilt once afterwards). */
  load<T>(run: () => Promise<T>, rebuilding: () => void): Promise<T>;
  /** `fill` in one transaction. */
  people<T>(fill: (store: PeopleStore) => Promise<T>): Promise<T>;
  /** One batch, in one transaction. */
  write(batch: DemoBatch): Promise<void>;
  /** What the app maintains as it goes, done once after the load (the planner's statistics). */
  finish(): Promise<void>;
  close(): void;
}
