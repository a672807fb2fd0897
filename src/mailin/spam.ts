import type { Db } from '../db/connect.js';
import { recordAudit } from '../admin/audit.js';
import { binTicket } from '../kernel/index.js';
import { Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { findVisibleTicket } from '../tickets/queries.js';
import { can, sideOf } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import './schema.js';

/**
 * An agent marks a ticket as spam: the ticket goes to the recycle bin (src/bin/: restorable by an
 * admin, purged with its files after the retention) and its requester's later mail is dropped on
 * arrival. The audit log keeps what went.
 */
export async function markTicketSpam(db: Db, actor: Actor, ticketId: number): Promise<void> {
  if (!can(actor, 'ticket.markSpam')) throw new Forbidden();
  await db.transaction().execute(async (trx) => {
    const ticket = await findVisibleTicket(trx, actor, ticketId);
    if (!ticket) throw new NotFound();
    const requester = await trx.selectFrom('users').select(['role', 'email']).where('id', '=', ticket.requester_id).executeTakeFirstOrThrow();
    if (sideOf(requester) !== 'customer') throw new Invalid({}, 'mailin.spam.staffRequester');
    const files = await trx.selectFrom('attachments').innerJoin('messages', 'messages.id', 'attachments.message_id')
      .select('attachments.storage_key').where('messages.ticket_id', '=', ticket.id).execute();
    await trx.insertInto('spam_senders').values({ address: requester.email.toLowerCase(), marked_by_id: actor.id, created_at: nowIso() })
      .onConflict((oc) => oc.column('address').doNothing()).execute();
    await recordAudit(trx, actor, {
      action: 'ticket.spam', subjectType: 'ticket', subjectId: ticket.id,
      details: { subject: ticket.subject, sender: requester.email, attachments: files.length },
    });
    await binTicket(trx, actor, ticket.id, 'spam');
  });
}

export async function isSpamSender(db: Db, address: string): Promise<boolean> {
  return (await db.selectFrom('spam_senders').select('address').where('address', '=', address.toLowerCase()).executeTakeFirst()) !== undefined;
}

export function listSpamSenders(db: Db) {
  return db.selectFrom('spam_senders').leftJoin('users', 'users.id', 'spam_senders.marked_by_id')
    .select(['spam_senders.address', 'spam_senders.created_at', 'users.name as marked_by']).orderBy('spam_senders.created_at', 'desc').limit(200).execute();
}

/** An admin lets a sender's mail in again. */
export async function unmarkSpamSender(db: Db, actor: Actor, address: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const removed = await trx.deleteFrom('spam_senders').where('address', '=', address.toLowerCase()).executeTakeFirst();
    if (Number(removed.numDeletedRows) === 0) throw new NotFound();
    await recordAudit(trx, actor, { action: 'spam_sender.deleted', subjectType: 'spam_sender', subjectId: 0, before: { address } });
  });
}
