import type { Db } from '../db/connect.js';
import { fieldName, fieldsOfType } from '../fields/fields.js';
import { NotFound } from '../lib/errors.js';
import { positiveInt } from '../lib/validate.js';
import type { Actor } from '../users/actor.js';
import { findVisibleTicket, listCcs, listFilterChoices } from './queries.js';
import { PRIORITIES } from './tickets.js';

/** The form's fields as the browser sends them back (and as the form draws them). */
type FormValues = Record<string, string | undefined>;

/**
 * What the "Updating Ticket" form shows: the ticket's values, or what was typed (after a failed
 * save, or when the type changed and the form is drawn again with the new type's fields).
 */
export async function editFormData(db: Db, actor: Actor, ticketId: number, typed: FormValues | null) {
  const ticket = await findVisibleTicket(db, actor, ticketId);
  if (!ticket) throw new NotFound();
  const stored = await db.selectFrom('ticket_field_values').innerJoin('fields', 'fields.id', 'ticket_field_values.field_id')
    .select(['fields.key', 'ticket_field_values.value']).where('ticket_id', '=', ticket.id).execute();
  const values: FormValues = typed ? { ...typed } : {
    subject: ticket.subject, typeId: String(ticket.type_id), statusId: String(ticket.status_id), priority: ticket.priority,
    visibility: ticket.visibility, assigneeId: ticket.assignee_id === null ? '' : String(ticket.assignee_id),
    groupId: ticket.group_id === null ? '' : String(ticket.group_id), requesterEmail: ticket.requester_email,
    ccs: (await listCcs(db, ticket.id)).map((c) => c.email).join(', '),
    ...Object.fromEntries(stored.map((v) => [`field_${v.key}`, v.value])),
  };
  const typeId = positiveInt(values.typeId) ?? ticket.type_id;
  const fields = (await fieldsOfType(db, typeId)).map((field) => ({ ...field, name: fieldName(field) }));
  const choices = await listFilterChoices(db);
  // Retired types are offered only to the tickets that already have them.
  const types = await db.selectFrom('ticket_types').select(['id', 'name'])
    .where((eb) => eb.or([eb('retired_at', 'is', null), eb('id', '=', ticket.type_id)])).orderBy('position').orderBy('name').execute();
  return { ticket, values, fields, choices: { ...choices, types }, priorities: PRIORITIES };
}
