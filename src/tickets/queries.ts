import type { Db } from '../db/connect.js';
import type { StatusCategory } from '../db/schema.js';
import type { Actor } from '../users/actor.js';
import { visibleTickets } from './scope.js';

export const PAGE_SIZE = 50;

export interface Cursor {
  at: string;
  id: number;
}

/** One page of the tickets the actor may see, newest activity first, keyset-paginated. */
export async function listTickets(db: Db, actor: Actor, options: { after?: Cursor | null; requesterId?: number } = {}) {
  let query = visibleTickets(db, actor)
    .innerJoin('users as requester', 'requester.id', 'tickets.requester_id')
    .innerJoin('statuses', 'statuses.id', 'tickets.status_id')
    .innerJoin('ticket_types', 'ticket_types.id', 'tickets.type_id')
    .leftJoin('users as assignee', 'assignee.id', 'tickets.assignee_id')
    .leftJoin('groups', 'groups.id', 'tickets.group_id')
    .leftJoin('organizations', 'organizations.id', 'tickets.organization_id')
    .select([
      'tickets.id', 'tickets.subject', 'tickets.priority', 'tickets.last_activity_at', 'tickets.created_at',
      'requester.name as requester_name', 'statuses.name as status_name', 'statuses.customer_label as status_label',
      'statuses.category as status_category', 'ticket_types.name as type_name', 'assignee.name as assignee_name',
      'groups.name as group_name', 'organizations.name as organization_name',
    ]);
  if (options.requesterId !== undefined) query = query.where('tickets.requester_id', '=', options.requesterId);
  const after = options.after;
  if (after) {
    query = query.where((eb) => eb.or([
      eb('tickets.last_activity_at', '<', after.at),
      eb.and([eb('tickets.last_activity_at', '=', after.at), eb('tickets.id', '<', after.id)]),
    ]));
  }
  const rows = await query.orderBy('tickets.last_activity_at', 'desc').orderBy('tickets.id', 'desc')
    .limit(PAGE_SIZE + 1).execute();
  const more = rows.length > PAGE_SIZE;
  const page = more ? rows.slice(0, PAGE_SIZE) : rows;
  const last = page[page.length - 1];
  return { rows: page, next: more && last ? { at: last.last_activity_at, id: last.id } : null };
}

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
