import type { Db } from '../db/connect.js';
import { nowIso } from '../lib/time.js';
import type { Actor } from '../users/actor.js';

export interface AuditEntry {
  /** What was done, as `<subject>.<verb>`: `status.created`, `user.disabled`, `setting.changed`... */
  action: string;
  subjectType: string;
  subjectId: number;
  before?: unknown;
  after?: unknown;
  /** Anything else worth keeping (a name that may change later, a count). */
  details?: Record<string, unknown>;
}

/**
 * Every admin change is recorded: who, when, what, before → after. Call it inside the change's own
 * transaction, so a change is never without its record (and a rolled-back one leaves none).
 */
export async function recordAudit(trx: Db, actor: Actor | null, entry: AuditEntry): Promise<void> {
  await trx.insertInto('audit_log').values({
    actor_id: actor?.id ?? null,
    action: entry.action,
    subject_type: entry.subjectType,
    subject_id: entry.subjectId,
    details: JSON.stringify({ ...entry.details, ...(entry.before !== undefined ? { before: entry.before } : {}), ...(entry.after !== undefined ? { after: entry.after } : {}) }),
    created_at: nowIso(),
  }).execute();
}

/** Only what differs between two versions of a row, for a readable before → after. */
export function changedFields<T extends Record<string, unknown>>(before: T, after: Partial<T>): { before: Partial<T>; after: Partial<T> } {
  const b: Partial<T> = {};
  const a: Partial<T> = {};
  for (const key of Object.keys(after) as (keyof T)[]) {
    if (after[key] !== undefined && JSON.stringify(after[key]) !== JSON.stringify(before[key])) {
      b[key] = before[key];
      a[key] = after[key];
    }
  }
  return { before: b, after: a };
}
