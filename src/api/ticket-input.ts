import type { z } from 'zod';
import type { Db } from '../db/connect.js';
import { fieldName, fieldsOfType, storedFieldValues } from '../fields/fields.js';
import { Invalid, type FieldErrors } from '../lib/errors.js';
import { readForm } from '../lib/form.js';
import { ticketTagSchema } from '../tags/schemas.js';
import { listCcs, type findVisibleTicket } from '../tickets/queries.js';
import type { NewTicket, TicketPatch } from './shapes.js';

/**
 * JSON bodies as the pages' forms would send them: the API's typed values become the form's strings,
 * so the same schemas (src/lib/form.ts rules) and verbs judge them, with the same messages.
 */

type VisibleTicket = NonNullable<Awaited<ReturnType<typeof findVisibleTicket>>>;
type FieldValue = string | number | boolean | null;

/** An id, or the form's blank for none. */
export const idText = (value: number | null | undefined): string => (value === null || value === undefined ? '' : String(value));

/** A custom field's value as its form field would carry it (a checkbox: '1' or ''). */
export function fieldText(value: FieldValue): string {
  if (value === null || value === false) return '';
  if (value === true) return '1';
  return String(value);
}

export function customFields(fields: Record<string, FieldValue> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(fields ?? {}).map(([key, value]) => [`field_${key}`, fieldText(value)]));
}

/** A customer's submission as the portal's form (customers write no requester, priority or visibility). */
export function submissionForm(body: z.output<typeof NewTicket>, typeId: number | null): Record<string, string> {
  const notYours = (['requesterEmail', 'requesterName', 'priority', 'visibility'] as const).filter((key) => body[key] !== undefined);
  if (notYours.length > 0) throw new Invalid(Object.fromEntries(notYours.map((key) => [key, 'api.errors.staffOnly'])));
  return {
    typeId: idText(typeId), subject: body.subject, message: body.message, brandId: idText(body.brandId), serviceId: idText(body.serviceId),
    ...customFields(body.fields),
  };
}

/** An agent's new ticket as the "New ticket" form. */
export function openTicketForm(body: z.output<typeof NewTicket>): Record<string, string> {
  const notYours = (['brandId', 'serviceId', 'fields', 'uploadIds'] as const).filter((key) => body[key] !== undefined);
  if (notYours.length > 0) throw new Invalid(Object.fromEntries(notYours.map((key) => [key, 'api.errors.customerOnly'])));
  return {
    requesterEmail: body.requesterEmail ?? '', requesterName: body.requesterName ?? '', subject: body.subject, message: body.message,
    typeId: idText(body.typeId), priority: body.priority ?? '', visibility: body.visibility ?? '',
  };
}

/**
 * The "Updating Ticket" form as it stands for this ticket, with the patch's values put in: what the
 * patch leaves out keeps its value. Custom fields are those of the type the ticket will have.
 */
export async function editForm(db: Db, ticket: VisibleTicket, patch: Omit<z.output<typeof TicketPatch>, 'tags'>): Promise<Record<string, string>> {
  const ccs = await listCcs(db, ticket.id);
  const form: Record<string, string> = {
    subject: ticket.subject, priority: ticket.priority, visibility: ticket.visibility, typeId: String(ticket.type_id),
    statusId: String(ticket.status_id), assigneeId: idText(ticket.assignee_id), groupId: idText(ticket.group_id),
    requesterEmail: ticket.requester_email, ccs: ccs.map((cc) => cc.email).join(', '),
  };
  const typeId = patch.typeId ?? ticket.type_id;
  const defs = await fieldsOfType(db, typeId);
  const stored = await storedFieldValues(db, ticket.id);
  for (const def of defs) form[fieldName(def)] = stored.get(def.id) ?? '';
  const unknown = Object.keys(patch.fields ?? {}).filter((key) => !defs.some((def) => def.key === key));
  if (unknown.length > 0) throw new Invalid(Object.fromEntries(unknown.map((key) => [`field_${key}`, 'api.errors.unknownField'])));
  Object.assign(form, customFields(patch.fields));
  if (patch.subject !== undefined) form.subject = patch.subject;
  if (patch.priority !== undefined) form.priority = patch.priority;
  if (patch.visibility !== undefined) form.visibility = patch.visibility;
  if (patch.typeId !== undefined) form.typeId = String(patch.typeId);
  if (patch.statusId !== undefined) form.statusId = String(patch.statusId);
  if (patch.assigneeId !== undefined) form.assigneeId = idText(patch.assigneeId);
  if (patch.groupId !== undefined) form.groupId = idText(patch.groupId);
  if (patch.requesterEmail !== undefined) form.requesterEmail = patch.requesterEmail;
  if (patch.ccs !== undefined) form.ccs = patch.ccs.join(', ');
  return form;
}

/** The tags a patch asks for, normalised as typed on the ticket page (the verb checks the managed list). */
export function wantedTags(tags: string[]): string[] {
  const errors: FieldErrors = {};
  const names: string[] = [];
  for (const tag of tags) {
    const { value, errors: wrong } = readForm(ticketTagSchema, { tag });
    if (wrong.tag) errors.tags ??= wrong.tag;
    else if (!names.includes(value.tag)) names.push(value.tag);
  }
  if (Object.keys(errors).length > 0) throw new Invalid(errors);
  return names;
}
