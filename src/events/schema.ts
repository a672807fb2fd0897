import type { Generated, Selectable } from 'kysely';

/** One domain event (issue 17): what changed, written in the change's transaction. */
export interface EventsTable {
  id: Generated<number>;
  kind: string;
  ticket_id: number | null;
  actor_id: number | null;
  /** JSON text, the event's details (e.g. `ticket.changed`: `{ changes: { status: [from, to] } }`). */
  payload: Generated<string>;
  created_at: string;
}

/** How far each consumer of the event stream has read: the id of the last event it handled. */
export interface ConsumerPositionsTable {
  consumer: string;
  last_event_id: Generated<number>;
  updated_at: string;
}

export type DomainEvent = Selectable<EventsTable>;

declare module '../db/schema.js' {
  interface Database {
    events: EventsTable;
    consumer_positions: ConsumerPositionsTable;
  }
}
