import { recordAudit } from '../admin/audit.js';
import { removeStoredFiles } from '../attachments/store.js';
import type { Db } from '../db/connect.js';
import { enqueueJob } from '../jobs/queries.js';
import { removeTicket, restoreTicket, type RemovalReason } from '../kernel/index.js';
import { Forbidden, NotFound } from '../lib/errors.js';
import { DAY, HOUR, isoIn } from '../lib/time.js';
import { can } from '../policy/can.js';
import { getNumberSetting } from '../settings/settings.js';
import type { Actor } from '../users/actor.js';

/**
 * The recycle bin (issue 20). Deleting a ticket (tickets/delete.ts) or marking it as spam
 * (mailin/spam.ts) puts it here whole (kernel/bin.ts): it is in no list, search, count or portal page
 * (tickets/scope.ts), admins may restore it as it was, and after `tickets.bin_days` (30 unless set)
 * the purge job removes it for good through removeTicket, with its files.
 */
export const BIN_DAYS_SETTING = 'tickets.bin_days';
const DEFAULT_DAYS = 30;

export async function binDays(db: Db): Promise<number> {
  const days = await getNumberSetting(db, BIN_DAYS_SETTING);
  return days !== null && days > 0 ? days : DEFAULT_DAYS;
}

/** The bin's page: what is in it, newest first, with when it goes for good. */
export async function listBin(db: Db, actor: Actor) {
  if (!can(actor, 'bin.manage')) throw new Forbidden();
  const days = await binDays(db);
  const rows = await db.selectFrom('tickets')
    .innerJoin('users as requester', 'requester.id', 'tickets.requester_id')
    .leftJoin('users as binner', 'binner.id', 'tickets.binned_by_id')
    .select(['tickets.id', 'tickets.subject', 'tickets.binned_at', 'tickets.binned_reason', 'requester.name as requester_name',
      'requester.email as requester_email', 'binner.name as binned_by_name'])
    .select((eb) => eb.selectFrom('messages').select((m) => m.fn.countAll<number>().as('n')).whereRef('messages.ticket_id', '=', 'tickets.id').as('messages'))
    .where('tickets.binned_at', 'is not', null)
    .orderBy('tickets.binned_at', 'desc').orderBy('tickets.id', 'desc').limit(500).execute();
  return { days, tickets: rows.map((r) => ({ ...r, messages: Number(r.messages ?? 0), purge_at: isoIn(days * DAY, Date.parse(r.binned_at!)) })) };
}

/** An admin takes a ticket out of the bin, with everything it had; audited. */
export async function restoreFromBin(db: Db, actor: Actor, ticketId: number): Promise<void> {
  if (!can(actor, 'bin.manage')) throw new Forbidden();
  await db.transaction().execute(async (trx) => {
    const ticket = await trx.selectFrom('tickets').select(['id', 'subject', 'binned_reason']).where('id', '=', ticketId).executeTakeFirst();
    if (!ticket || !(await restoreTicket(trx, actor, ticketId))) throw new NotFound();
    await recordAudit(trx, actor, { action: 'ticket.restored', subjectType: 'ticket', subjectId: ticketId, details: { subject: ticket.subject, reason: ticket.binned_reason } });
  });
}

/**
 * An admin empties one ticket out of the bin now ("Delete for good": personal data that must go
 * today): removed through removeTicket, its files after the commit; audited.
 */
export async function purgeFromBin(db: Db, actor: Actor, ticketId: number, uploadsDir: string): Promise<void> {
  if (!can(actor, 'bin.manage')) throw new Forbidden();
  const keys = await db.transaction().execute(async (trx) => {
    const ticket = await trx.selectFrom('tickets').select(['id', 'subject', 'binned_reason']).where('id', '=', ticketId).where('binned_at', 'is not', null).executeTakeFirst();
    if (!ticket) throw new NotFound();
    const files = await storageKeys(trx, ticket.id);
    await removeTicket(trx, actor, ticket.id, (ticket.binned_reason ?? 'deleted') as RemovalReason);
    await recordAudit(trx, actor, { action: 'ticket.purged', subjectType: 'ticket', subjectId: ticket.id, details: { subject: ticket.subject, reason: ticket.binned_reason } });
    return files;
  });
  await removeStoredFiles(uploadsDir, keys);
}

async function storageKeys(db: Db, ticketId: number): Promise<string[]> {
  const files = await db.selectFrom('attachments').innerJoin('messages', 'messages.id', 'attachments.message_id')
    .select('attachments.storage_key').where('messages.ticket_id', '=', ticketId).execute();
  return files.map((f) => f.storage_key);
}

export const BIN_PURGE_JOB = 'tickets.bin_purge';
const BATCH = 100;

/**
 * Tickets in the bin for longer than the retention go for good (by Deskbell), each in its own
 * transaction, their files removed after it commits. Returns how many went.
 */
export async function runBinPurge(db: Db, uploadsDir: string, now = Date.now()): Promise<number> {
  const cutoff = isoIn(-(await binDays(db)) * DAY, now);
  let purged = 0;
  for (;;) {
    const due = await db.selectFrom('tickets').select(['id', 'binned_reason']).where('binned_at', '<=', cutoff)
      .orderBy('binned_at').orderBy('id').limit(BATCH).execute();
    for (const ticket of due) {
      const keys = await db.transaction().execute(async (trx) => {
        const still = await trx.selectFrom('tickets').select('id').where('id', '=', ticket.id).where('binned_at', '<=', cutoff).executeTakeFirst();
        if (!still) return null;
        const files = await storageKeys(trx, ticket.id);
        await removeTicket(trx, null, ticket.id, (ticket.binned_reason ?? 'deleted') as RemovalReason);
        await recordAudit(trx, null, { action: 'ticket.purged', subjectType: 'ticket', subjectId: ticket.id, details: { reason: ticket.binned_reason } });
        return files;
      });
      if (keys === null) continue;
      await removeStoredFiles(uploadsDir, keys);
      purged++;
    }
    if (due.length < BATCH) return purged;
  }
}

/** Hourly: the job runs, then books its next run; at start-up one is booked if none is waiting. */
export async function runBinPurgeJob(db: Db, uploadsDir: string): Promise<void> {
  await runBinPurge(db, uploadsDir);
  await enqueueJob(db, BIN_PURGE_JOB, {}, { runAt: isoIn(HOUR), maxAttempts: 3 });
}

export async function scheduleBinPurge(db: Db): Promise<void> {
  const waiting = await db.selectFrom('jobs').select('id').where('kind', '=', BIN_PURGE_JOB).where('state', '=', 'queued').limit(1).executeTakeFirst();
  if (!waiting) await enqueueJob(db, BIN_PURGE_JOB, {}, { maxAttempts: 3 });
}
