import type { Generated, Selectable } from 'kysely';

/**
 * How two tickets are linked (migration 0033), read as "ticket <kind> other": `merged` (merged into
 * other), `split` (split from other), `related`, `duplicate` (a duplicate of other), `parent` (the
 * parent of other).
 */
export type LinkKind = 'merged' | 'split' | 'related' | 'duplicate' | 'parent';

export interface TicketLinksTable {
  id: Generated<number>;
  ticket_id: number;
  other_id: number;
  kind: LinkKind;
  created_by_id: number | null;
  created_at: string;
}

export type TicketLink = Selectable<TicketLinksTable>;

declare module '../db/schema.js' {
  interface Database {
    ticket_links: TicketLinksTable;
  }
}
