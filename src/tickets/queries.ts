import type { Db } from '../db/connect.js';
import type { StatusCategory } from '../db/schema.js';
import type { Actor } from '../users/actor.js';
import { visibleTickets } from './scope.js';

/** A ticket as its details page shows it, or undefined when it does not exist or is out of scope. */
export function findVisibleTicket(db: Db, actor: Actor, id: number) {
  return visibleTickets(db, actor)
    .innerJoin('users as requester', 'requester.id', 'tickets.requester_id')
    .innerJoin('statuses', 'statuses.id', 'tickets.status_id')
    .innerJoin('ticket_types', 'ticket_types.id', 'tickets.type_id')
    .leftJoin('users as assignee', 'assignee.id', 'tickets.assignee_id')
    .leftJoin('groups', 'groups.id', 'tickets.group_id')
    .selectAll('tickets')
    .select([
      'requester.name as requester_name', 'requester.email as requester_email',
      'statuses.name as status_name', 'statuses.customer_label as status_label', 'statuses.category as status_category',
      'ticket_types.name as type_name', 'assignee.name as assignee_name', 'groups.name as group_name',
    ])
    .where('tickets.id', '=', id)
    .executeTakeFirst();
}

/** The conversation; customers never get internal notes. */
export function listMessages(db: Db, ticketId: number, options: { includeInternal: boolean }) {
  let query = db.selectFrom('messages').leftJoin('users', 'users.id', 'messages.author_id')
    .select(['messages.id', 'messages.kind', 'messages.body_html', 'messages.created_at', 'users.name as author_name'])
    .where('messages.ticket_id', '=', ticketId);
  if (!options.includeInternal) query = query.where('messages.kind', '!=', 'note');
  return query.orderBy('messages.created_at').orderBy('messages.id').execute();
}

export async function defaultStatusId(db: Db, category: StatusCategory): Promise<number | undefined> {
  const row = await db.selectFrom('statuses').select('id')
    .where('category', '=', category).where('retired_at', 'is', null)
    .orderBy('is_default_for_category', 'desc').orderBy('position').limit(1).executeTakeFirst();
  return row?.id;
}

export function listTicketTypes(db: Db) {
  return db.selectFrom('ticket_types').select(['id', 'name', 'default_group_id', 'default_priority', 'initial_status_id'])
    .where('retired_at', 'is', null).orderBy('position').orderBy('name').execute();
}

/** Everything the list's filter form offers, each from a small table. */
export async function listFilterChoices(db: Db) {
  const [statuses, agents, groups, types, brands, organizations] = await Promise.all([
    db.selectFrom('statuses').select(['id', 'name', 'category']).where('retired_at', 'is', null).orderBy('position').execute(),
    db.selectFrom('users').select(['id', 'name']).where('role', 'in', ['admin', 'supervisor', 'agent'])
      .where('state', '=', 'active').orderBy('name').execute(),
    db.selectFrom('groups').select(['id', 'name']).orderBy('name').execute(),
    db.selectFrom('ticket_types').select(['id', 'name']).orderBy('position').orderBy('name').execute(),
    db.selectFrom('brands').select(['id', 'name']).orderBy('name').execute(),
    db.selectFrom('organizations').select(['id', 'name']).orderBy('name').limit(500).execute(),
  ]);
  return { statuses, agents, groups, types, brands, organizations };
}

/** This person has now seen the ticket as it is: it is no longer bold in their lists. */
export async function markSeen(db: Db, userId: number, ticketId: number, at: string): Promise<void> {
  await db.insertInto('ticket_seen').values({ ticket_id: ticketId, user_id: userId, seen_at: at })
    .onConflict((oc) => oc.columns(['user_id', 'ticket_id']).doUpdateSet({ seen_at: at })).execute();
}
