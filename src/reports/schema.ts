/** A decided SLA target of a ticket: met in time, or missed (breached). */
export type SlaOutcome = 'met' | 'missed';

/** One ticket's figures for the reports (migration 0042), kept by the `reports` consumer. */
export interface ReportFactsTable {
  ticket_id: number;
  /** Local dates (YYYY-MM-DD) in the site's time zone. */
  created_day: string;
  solved_day: string | null;
  /** Solved, closed or cancelled: out of the backlog since this day. */
  done_day: string | null;
  first_reply_day: string | null;
  rating_day: string | null;
  first_reply_seconds: number | null;
  resolution_seconds: number | null;
  group_id: number | null;
  assignee_id: number | null;
  type_id: number;
  brand_id: number;
  channel: string;
  rating: 'good' | 'bad' | null;
  sla_first_reply: SlaOutcome | null;
  sla_next_reply: SlaOutcome | null;
  sla_resolution: SlaOutcome | null;
}

declare module '../db/schema.js' {
  interface Database {
    report_facts: ReportFactsTable;
  }
}
