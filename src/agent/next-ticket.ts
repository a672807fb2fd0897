import type { Db } from '../db/connect.js';
import type { StatusCategory } from '../db/schema.js';
import type { Actor } from '../users/actor.js';
import { visibleTickets } from '../tickets/scope.js';

/** The categories still waiting for someone at the desk ("My open tickets", "Unassigned"). */
const WAITING: StatusCategory[] = ['new', 'open', 'pending', 'on_hold'];

/**
 * "Send and next ticket": the ticket to go on with after `currentId`. The one of the agent's own open
 * tickets that has waited longest since anything happened on it, else the unassigned open ticket that
 * has waited longest, else none. Oldest activity first: the ticket just answered has the newest
 * activity, so working through a queue this way visits each ticket once instead of bouncing between
 * the two most recent. Always within what this agent may see (the scope, as every list).
 */
export async function nextTicketFor(db: Db, actor: Actor, currentId: number): Promise<number | null> {
  for (const assignee of ['me', 'nobody'] as const) {
    let query = visibleTickets(db, actor).innerJoin('statuses', 'statuses.id', 'tickets.status_id')
      .select('tickets.id').where('statuses.category', 'in', WAITING).where('tickets.id', '!=', currentId);
    query = assignee === 'me' ? query.where('tickets.assignee_id', '=', actor.id) : query.where('tickets.assignee_id', 'is', null);
    const row = await query.orderBy('tickets.last_activity_at', 'asc').orderBy('tickets.id', 'asc').limit(1).executeTakeFirst();
    if (row) return row.id;
  }
  return null;
}
