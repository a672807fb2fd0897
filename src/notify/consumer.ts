import type { Db } from '../db/connect.js';
import type { Consumer } from '../events/consumer.js';
import type { StreamEvent } from '../events/record.js';
import { fromImport } from '../events/record.js';
import type { Announce, ChangeNotice } from '../kernel/index.js';
import { sideOf } from '../policy/can.js';
import { notifyAssignedTickets } from './assigned-many.js';
import { notifyContext } from './context.js';
import { sendRuleMails } from './rule-mail.js';
import { mailMessage, mailSolved } from './deliver.js';
import { notifyAssigned, notifyTicketCreated } from './notify.js';
import { mailOffer } from './offers.js';
import { mailRequesterNotice } from './reminders.js';
import { inviteToTicket, mailAccount } from './account.js';
import { mailSlaWarning } from './sla-warning.js';
import { mailSnoozeReturned } from './snooze.js';
import { mailWebhookDisabled } from './webhook-disabled.js';

/**
 * Ticket mail, composed by the worker from the event stream instead of inside the verbs' write
 * transactions. Transactional: the mails an event calls for are queued in the transaction that moves
 * this consumer's position, so an event handled twice (a crash, a second worker) queues nothing twice.
 */
export const notifications: Consumer = {
  name: 'notifications',
  transactional: true,
  // Reading the ticket and rendering the mail hold up no other writer: only the queueing does, and
  // the hourly caps are counted after takeWriterLock (send.ts).
  lateWriterLock: true,
  // Most events on a ticket mail nobody (a note, a tag, a field, a capped mail noted): they cost no transaction.
  async passes(_db, event) {
    return !mayMail(event);
  },
  async handle(trx, event, context) {
    const announce = event.payload.announce as Announce | undefined;
    if (event.kind === 'tickets.assigned') {
      const { assigneeId, ticketIds } = event.payload as { assigneeId: number; ticketIds: number[] };
      await notifyAssignedTickets(trx, context.mail, await actorOf(trx, event), assigneeId, ticketIds);
    }
    if (event.kind.startsWith('account.')) await mailAccount(trx, context.mail, event);
    if (event.kind === 'webhook.disabled') await mailWebhookDisabled(trx, context.mail, event);
    // A person merged or erased, a ticket deleted: nobody is told by mail. Nor of anything that
    // happened to a ticket deleted since (the events stay; the ticket, its people and words do not),
    // nor of a ticket in the recycle bin.
    if (event.ticketId === null || event.kind === 'ticket.deleted' || !(await ticketExists(trx, event.ticketId))) return;
    // An import from another help desk is old history: nobody is told of it by mail.
    if (fromImport(event)) return;
    if (event.kind === 'ticket.created' || (event.kind === 'ticket.changed' && announce)) {
      if (announce && (announce.requester || announce.group)) await notifyTicketCreated(trx, context.mail, event.ticketId, announce);
    }
    if (event.kind === 'message.added') {
      // Internal notes never leave the desk; chat reaches a customer as a digest, not line by line.
      const kind = event.payload.kind;
      if (kind === 'reply' || kind === 'update') await mailMessage(trx, notifyContext(context.mail), Number(event.payload.messageId));
    }
    const notice = event.payload.notify as ChangeNotice | undefined;
    for (const assigneeId of notice?.assigned ?? []) {
      await notifyAssigned(trx, context.mail, await actorOf(trx, event), event.ticketId, assigneeId);
    }
    for (const userId of notice?.offered ?? []) await mailOffer(trx, context.mail, event.ticketId, userId);
    if (notice?.requester) await mailRequesterNotice(trx, context.mail, event.ticketId, notice.requester);
    for (const userId of notice?.invite ?? []) await inviteToTicket(trx, context.mail, userId);
    if (notice?.slaWarning) await mailSlaWarning(trx, context.mail, event.ticketId, notice.slaWarning);
    // Mails a trigger or an automation asked for (rules/, issue 21): composed here like every ticket mail.
    if (event.kind === 'ticket.changed' && notice?.ruleMail?.length) await sendRuleMails(trx, context.mail, event.ticketId, notice.ruleMail);
    for (const userId of notice?.snoozeReturned ?? []) {
      const reason = (event.payload.changes as { kind: string; to: string | null }[] | undefined)?.find((c) => c.kind === 'snooze_returned')?.to ?? 'time';
      await mailSnoozeReturned(trx, context.mail, event.ticketId, userId, reason);
    }
    if (event.kind === 'ticket.changed' && await solvedByStaff(trx, event)) await mailSolved(trx, notifyContext(context.mail), event.ticketId);
  },
};

/**
 * Whether `handle` might mail anyone for this event, from the event alone (false: it certainly
 * mails nobody). Kept beside `handle`: each of its branches has its case here.
 */
function mayMail(event: StreamEvent): boolean {
  if (event.kind === 'tickets.assigned' || event.kind.startsWith('account.') || event.kind === 'webhook.disabled') return true;
  if (event.ticketId === null || event.kind === 'ticket.deleted' || fromImport(event)) return false;
  const announce = event.payload.announce as Announce | undefined;
  if ((event.kind === 'ticket.created' || event.kind === 'ticket.changed') && announce && (announce.requester || announce.group)) return true;
  if (event.kind === 'message.added' && (event.payload.kind === 'reply' || event.payload.kind === 'update')) return true;
  if (event.payload.notify !== undefined) return true;
  const set = (event.payload.set ?? {}) as { status_id?: number };
  return event.kind === 'ticket.changed' && set.status_id !== undefined && !event.payload.workflow && event.actorId !== null;
}

async function ticketExists(db: Db, ticketId: number): Promise<boolean> {
  return (await db.selectFrom('tickets').select('id').where('id', '=', ticketId).where('binned_at', 'is', null).executeTakeFirst()) !== undefined;
}

/** Staff moved the ticket to a solved status, one ticket at a time (a workflow change mails nobody). */
async function solvedByStaff(db: Db, event: StreamEvent): Promise<boolean> {
  const set = (event.payload.set ?? {}) as { status_id?: number };
  if (set.status_id === undefined || event.payload.workflow || event.actorId === null) return false;
  const status = await db.selectFrom('statuses').select('category').where('id', '=', set.status_id).executeTakeFirst();
  if (status?.category !== 'solved') return false;
  const actor = await db.selectFrom('users').select('role').where('id', '=', event.actorId).executeTakeFirst();
  return actor !== undefined && sideOf(actor) === 'staff';
}

/** Who acted, as a mail names them (Deskbell itself for a null actor, e.g. dispatch). */
async function actorOf(db: Db, event: StreamEvent): Promise<{ id: number | null; name: string }> {
  const person = event.actorId === null ? undefined
    : await db.selectFrom('users').select(['id', 'name']).where('id', '=', event.actorId).executeTakeFirst();
  return person ?? { id: event.actorId, name: 'Deskbell' };
}
