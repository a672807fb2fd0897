import type { Db } from '../db/connect.js';
import { AUTOMATIONS_JOB, runAutomations, runAutomationsJob, scheduleAutomations } from '../rules/automations.js';

// Auto-close (seed 003: "the customer hasn't responded so the ticket closes") is now three default
// automations (src/rules/, migration 0041) whose days are still the `autoclose.*` settings: solved
// tickets close after `autoclose.solved_days`; tickets waiting on the customer get one reminder
// after `autoclose.pending_days` without activity, and close when another
// `autoclose.pending_grace_days` (the same period when 0) pass without an answer. 0 days = off.

export const AUTOCLOSE_JOB = AUTOMATIONS_JOB;

export interface AutoCloseResult { closedSolved: number; reminded: number; closedPending: number }

/** Run the automations; what the three default ones did. */
export async function runAutoClose(db: Db, now = Date.now()): Promise<AutoCloseResult> {
  const acted = await runAutomations(db, now);
  const builtin = await db.selectFrom('rules').select(['id', 'builtin']).where('builtin', 'is not', null).execute();
  const count = (key: string) => acted.get(builtin.find((r) => r.builtin === key)?.id ?? -1) ?? 0;
  return { closedSolved: count('autoclose.solved'), reminded: count('autoclose.remind'), closedPending: count('autoclose.unanswered') };
}

export const runAutoCloseJob = runAutomationsJob;
export const scheduleAutoClose = scheduleAutomations;
