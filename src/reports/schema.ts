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
  /** The ticket's tag ids, ascending, comma-separated ('' for none; null in rows from before 0052). */
  tag_ids: string | null;
}

/**
 * The reports' daily rollup (migration 0052), kept by the `reports` consumer with the facts: per
 * local day (and block of days), per dimension and value of it, the sums of the facts whose day that
 * is (created: by created_day; solved and the resolution times: by solved_day; first replies: by
 * first_reply_day; ratings: by rating_day); and, as dimension 'days', the whole desk's created,
 * solved, done and change of the backlog per single day.
 */
export interface ReportDaysTable {
  /** 'none' (the whole desk), 'group', 'agent', 'type', 'channel', 'brand' or 'tag'; 'days': the whole desk's series (rollup.ts). */
  dim: string;
  /** 1: one day; 8 or 64: a block of days since 1970-01-01, starting on `day` (rollup.ts). */
  span: number;
  day: string;
  /** The dimension's value as text ('' for none, and for the whole desk). */
  key: string;
  created: number;
  solved: number;
  done: number;
  /** +1 on the day a ticket was created, -1 on the day it was done (not before it was created). */
  backlog: number;
  fr_met: number;
  fr_missed: number;
  nr_met: number;
  nr_missed: number;
  rs_met: number;
  rs_missed: number;
  good: number;
  bad: number;
  /** Histograms (histogram.ts) of the first-reply and resolution seconds. */
  first_reply: string | null;
  resolution: string | null;
}

declare module '../db/schema.js' {
  interface Database {
    report_facts: ReportFactsTable;
    report_days: ReportDaysTable;
  }
}
