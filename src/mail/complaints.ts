import type { Generated } from 'kysely';
import type { Db } from '../db/connect.js';
import { nowIso } from '../lib/time.js';

/** Migration 0037: addresses that complained about our mail (an ARF abuse report). */
export interface MailComplaintsTable {
  address: string;
  feedback_type: string;
  ticket_id: number | null;
  created_at: Generated<string>;
}

declare module '../db/schema.js' {
  interface Database {
    mail_complaints: MailComplaintsTable;
  }
}

/** Mark an address as complained: no more automatic mail goes to it. */
export async function recordComplaint(db: Db, address: string, feedbackType: string, ticketId: number | null): Promise<void> {
  await db.insertInto('mail_complaints').values({ address: address.toLowerCase(), feedback_type: feedbackType.slice(0, 40), ticket_id: ticketId, created_at: nowIso() })
    .onConflict((oc) => oc.column('address').doNothing()).execute();
}

/** Of these addresses, the ones that complained (lower case). */
export async function complainedAmong(db: Db, addresses: string[]): Promise<Set<string>> {
  const lowered = [...new Set(addresses.map((a) => a.toLowerCase()))];
  if (lowered.length === 0) return new Set();
  const rows = await db.selectFrom('mail_complaints').select('address').where('address', 'in', lowered).execute();
  return new Set(rows.map((r) => r.address));
}
