import type { Db } from '../db/connect.js';
import { rolesOn } from '../policy/can.js';
import type { Recipient } from './send.js';
import { wants, type AgentNotification } from './prefs.js';

/** What every ticket mail shows: the ticket, its requester, its group and whether customers take part. */
export function findTicketForMail(db: Db, ticketId: number) {
  return db.selectFrom('tickets')
    .innerJoin('users as requester', 'requester.id', 'tickets.requester_id')
    .innerJoin('ticket_types', 'ticket_types.id', 'tickets.type_id')
    .innerJoin('statuses', 'statuses.id', 'tickets.status_id')
    .innerJoin('brands', 'brands.id', 'tickets.brand_id')
    .leftJoin('groups', 'groups.id', 'tickets.group_id')
    .select([
      'tickets.id', 'tickets.subject', 'tickets.brand_id', 'tickets.visibility', 'tickets.assignee_id', 'tickets.group_id',
      'tickets.requester_id', 'requester.name as requester_name', 'requester.email as requester_email',
      'requester.locale as requester_locale', 'requester.state as requester_state', 'requester.role as requester_role',
      'ticket_types.customer_facing', 'statuses.category as status_category', 'brands.portal_title', 'groups.name as group_name',
    ])
    .where('tickets.id', '=', ticketId).executeTakeFirst();
}

export type TicketForMail = NonNullable<Awaited<ReturnType<typeof findTicketForMail>>>;

/** Seed 000: the requester takes part only in public tickets of customer-facing types. */
export function customersTakePart(ticket: TicketForMail): boolean {
  return ticket.visibility === 'public' && ticket.customer_facing === 1;
}

/** The requester and the CC'd customers, who get the public conversation (never disabled accounts). */
export async function customerRecipients(db: Db, ticket: TicketForMail): Promise<Recipient[]> {
  const ccs = await db.selectFrom('ticket_ccs').innerJoin('users', 'users.id', 'ticket_ccs.user_id')
    .select(['users.id', 'users.name', 'users.email', 'users.locale'])
    .where('ticket_ccs.ticket_id', '=', ticket.id).where('users.state', '!=', 'disabled').orderBy('users.id').execute();
  const requester = ticket.requester_state === 'disabled' ? [] : [{
    id: ticket.requester_id, name: ticket.requester_name, email: ticket.requester_email, locale: ticket.requester_locale,
  }];
  return [...requester, ...ccs.filter((cc) => cc.id !== ticket.requester_id)];
}

/** Active staff by id who have not opted out of this kind of notification. */
export async function staffWhoWant(db: Db, kind: AgentNotification, where: { userId: number } | { groupId: number }): Promise<Recipient[]> {
  const members = 'groupId' in where
    ? db.selectFrom('group_members').select('user_id').where('group_id', '=', where.groupId)
    : null;
  const people = await db.selectFrom('users').select(['id', 'name', 'email', 'locale', 'notify_prefs'])
    .where('role', 'in', rolesOn('staff')).where('state', '=', 'active')
    .$call((q) => (members ? q.where('id', 'in', members) : q.where('id', '=', (where as { userId: number }).userId)))
    .orderBy('id').execute();
  return people.filter((p) => wants(p.notify_prefs, kind)).map(({ notify_prefs: _, ...person }) => person);
}

/** A message's files: attached to the mail, or linked when together they are too big for a mailbox. */
export function messageFiles(db: Db, messageId: number) {
  return db.selectFrom('attachments').select(['id', 'filename', 'content_type', 'size', 'storage_key'])
    .where('message_id', '=', messageId).orderBy('id').execute();
}
