import type { Db } from '../db/connect.js';
import { NotFound } from '../lib/errors.js';
import { rolesOn } from '../policy/can.js';
import { findVisibleTicket } from '../tickets/queries.js';
import type { Actor } from '../users/actor.js';

/**
 * "Create article from this ticket" (issue 23, point 5): the new-article form filled in from the
 * ticket's subject and its latest public reply by staff, the answer worth keeping. Only a reply:
 * notes are internal and an article may be public. Nothing is saved here; the agent removes the
 * customer's personal details and presses Save (POST /agent/help/articles) or leaves.
 */
export async function articleDraftFromTicket(db: Db, actor: Actor, ticketId: number): Promise<{ ticketId: number; title: string; body: string }> {
  const ticket = await findVisibleTicket(db, actor, ticketId);
  if (!ticket) throw new NotFound();
  const answer = await db.selectFrom('messages').innerJoin('users', 'users.id', 'messages.author_id')
    .select('messages.body_text').where('messages.ticket_id', '=', ticket.id).where('messages.kind', '=', 'reply')
    .where('users.role', 'in', rolesOn('staff')).orderBy('messages.id', 'desc').limit(1).executeTakeFirst();
  return { ticketId: ticket.id, title: ticket.subject.slice(0, 200), body: answer?.body_text ?? '' };
}
