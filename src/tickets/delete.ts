import type { Db } from '../db/connect.js';
import { binTicket } from '../kernel/index.js';
import { Forbidden, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { can } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { findVisibleTicket } from './queries.js';

/**
 * An admin deletes a ticket (spam, a duplicate, personal data that must go): it goes to the recycle
 * bin (src/bin/), whole, out of every list, search and portal page, until an admin restores it or the
 * purge job removes it for good after the retention. The audit log keeps who deleted which ticket,
 * when, and what it was, and the event stream says it is binned (`ticket.binned`).
 */
export async function deleteTicket(db: Db, actor: Actor, ticketId: number): Promise<void> {
  if (!can(actor, 'ticket.delete')) throw new Forbidden();
  await db.transaction().execute(async (trx) => {
    const ticket = await findVisibleTicket(trx, actor, ticketId);
    if (!ticket) throw new NotFound();
    const messages = await trx.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('ticket_id', '=', ticket.id).executeTakeFirstOrThrow();
    const files = await trx.selectFrom('attachments').innerJoin('messages', 'messages.id', 'attachments.message_id')
      .select('attachments.storage_key').where('messages.ticket_id', '=', ticket.id).execute();
    await trx.insertInto('audit_log').values({
      actor_id: actor.id, action: 'ticket.deleted', subject_type: 'ticket', subject_id: ticket.id, created_at: nowIso(),
      details: JSON.stringify({ subject: ticket.subject, requester: ticket.requester_email, status: ticket.status_name,
        created_at: ticket.created_at, messages: Number(messages.n), attachments: files.length }),
    }).execute();
    await binTicket(trx, actor, ticket.id, 'deleted');
  });
}
