import type { Generated, Selectable } from 'kysely';

/** What an imported row became (migration 0045); unique per source, kind and original id. */
export type ImportSource = 'zendesk' | 'freshdesk' | 'osticket' | 'csv';
export type ImportKind = 'person' | 'organization' | 'ticket' | 'message' | 'attachment';

export interface ImportRecordsTable {
  id: Generated<number>;
  source: ImportSource;
  kind: ImportKind;
  /** The export's own id, as text. */
  external_id: string;
  /** The id of the row made here (users, organizations, tickets, messages, attachments). */
  local_id: number;
  imported_at: string;
}

export type ImportRecord = Selectable<ImportRecordsTable>;

declare module '../db/schema.js' {
  interface Database {
    import_records: ImportRecordsTable;
  }
}
