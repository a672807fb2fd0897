import type { Db } from '../db/connect.js';
import { changeTicket, rewriteFirstMessage } from '../kernel/index.js';
import { dispatchTicket } from '../fleet/dispatch.js';
import { diffFieldValues, fieldName, fieldsOfType, readFieldValues, storedFieldValues } from '../fields/fields.js';
import { Forbidden, NotFound, type FieldErrors } from '../lib/errors.js';
import { collect, type Checked } from '../lib/form.js';
import { nowIso } from '../lib/time.js';
import { can } from '../policy/can.js';
import { getNumberSetting } from '../settings/settings.js';
import { defaultStatusId, findVisibleTicket } from '../tickets/queries.js';
import { statusStamps } from '../tickets/status.js';
import type { Actor } from '../users/actor.js';
import type { DraftInput, SubmitInput } from './schemas.js';
import { checkSubmission, createPortalTicket, defaultTopicId } from '../submissions/submit.js';
import { activeServices, customerTopics } from '../submissions/queries.js';

/**
 * Seed 001: "Draft — the code user has not completed all the ticket creation flow steps yet."
 * Only workflows with a status of category `draft` (e.g. the Field service preset) offer drafts.
 * A draft sends nothing: the "received" mail and the group notification wait until it is submitted.
 * Staff see drafts like any ticket, under their Draft status (the list filters show categories).
 */
export async function draftsEnabled(db: Db): Promise<boolean> {
  return (await defaultStatusId(db, 'draft')) !== undefined;
}

/** Only a subject is required (schemas.ts); other values are kept when they are valid, dropped otherwise. */
async function checkDraft(db: Db, actor: Actor, input: DraftInput) {
  if (!can(actor, 'ticket.submit')) throw new Forbidden();
  const { subject, message } = input;
  const topics = await customerTopics(db);
  const wanted = input.typeId ?? await defaultTopicId(db);
  const topic = topics.find((t) => t.id === wanted) ?? topics[0];
  if (!topic) throw new Error('the desk has no topic customers may choose');
  const brands = await db.selectFrom('brands').select(['id']).orderBy('name').execute();
  const brandId = brands.find((b) => b.id === input.brandId)?.id ?? brands[0]?.id;
  if (brandId === undefined) throw new Error('the desk has no brand');
  const service = (await activeServices(db, actor)).find((s) => s.id === input.serviceId);
  const defs = await fieldsOfType(db, topic.id);
  const loose: FieldErrors = {};
  const values = readFieldValues(defs, input.fields, 'customer', collect(loose));
  for (const def of defs) if (loose[fieldName(def)] !== undefined) values.delete(def.id);
  return { subject, message, topic, brandId, service, defs, values };
}

/** Saves the form as a draft ticket: attachments bound, a 'created' event, and no mail at all. */
export async function saveDraft(db: Db, actor: Actor, input: DraftInput, uploadIds: number[]): Promise<number> {
  const form = await checkDraft(db, actor, input);
  return db.transaction().execute(async (trx) => {
    const statusId = await defaultStatusId(trx, 'draft');
    if (statusId === undefined) throw new NotFound();
    return createPortalTicket(trx, actor, form, { id: statusId, category: 'draft' }, uploadIds);
  });
}

/** The requester's own draft, else 404 (other customers, even of the same organization, never finish it). */
export async function findOwnDraft(db: Db, actor: Actor, id: number) {
  if (!can(actor, 'ticket.submit')) throw new Forbidden();
  const ticket = await findVisibleTicket(db, actor, id);
  if (!ticket || ticket.requester_id !== actor.id || ticket.status_category !== 'draft') throw new NotFound();
  return ticket;
}

/** The form's values as they were saved: subject, first message, topic, brand, service, fields. */
export async function draftValues(db: Db, actor: Actor, id: number): Promise<Record<string, string>> {
  const ticket = await findOwnDraft(db, actor, id);
  const row = await db.selectFrom('tickets').select(['type_id', 'brand_id', 'service_id']).where('id', '=', id).executeTakeFirstOrThrow();
  const first = await db.selectFrom('messages').select('body_text').where('ticket_id', '=', id).orderBy('id').limit(1).executeTakeFirst();
  const values: Record<string, string> = {
    subject: ticket.subject, message: first?.body_text ?? '', typeId: String(row.type_id), brandId: String(row.brand_id),
    serviceId: row.service_id === null ? '' : String(row.service_id),
  };
  const stored = await db.selectFrom('ticket_field_values').innerJoin('fields', 'fields.id', 'ticket_field_values.field_id')
    .select(['fields.key', 'ticket_field_values.value']).where('ticket_id', '=', id).execute();
  for (const f of stored) values[fieldName(f)] = f.value;
  return values;
}

/**
 * The customer finishes a draft: checked like a normal submission, then the ticket, its first
 * message and field values are updated, it moves to the default `new` status (a history event),
 * and only then go the "received" confirmation, the group notification and the dispatch (offers).
 */
export async function submitDraft(db: Db, actor: Actor, id: number, input: Checked<SubmitInput>, uploadIds: number[]): Promise<void> {
  await findOwnDraft(db, actor, id);
  const { subject, message, topic, brandId, service, defs, values } = await checkSubmission(db, actor, input);
  const groupId = service?.provider_group_id ?? topic.default_group_id ?? await getNumberSetting(db, 'default_group_id');
  await db.transaction().execute(async (trx) => {
    const now = nowIso();
    const current = await trx.selectFrom('tickets').innerJoin('statuses', 'statuses.id', 'tickets.status_id')
      .select(['statuses.name', 'statuses.category']).where('tickets.id', '=', id).executeTakeFirstOrThrow();
    if (current.category !== 'draft') throw new NotFound();
    const statusId = topic.initial_status_id ?? await defaultStatusId(trx, 'new');
    const status = await trx.selectFrom('statuses').select(['name', 'category']).where('id', '=', statusId ?? -1).executeTakeFirst();
    if (!status) throw new Error('the desk has no "new" status');
    // Fields of another topic do not belong to the finished ticket.
    const stored = await storedFieldValues(trx, id);
    const fields = diffFieldValues(defs, values, stored, ['Yes', 'No']).values;
    for (const fieldId of stored.keys()) if (!defs.some((d) => d.id === fieldId)) fields.set(fieldId, '');
    await rewriteFirstMessage(trx, actor, id, { bodyText: message, uploadIds });
    await changeTicket(trx, actor, id, {
      set: {
        subject, type_id: topic.id, brand_id: brandId, status_id: statusId!, priority: topic.default_priority, group_id: groupId,
        service_id: service?.id ?? null, ...statusStamps(status.category, { solved_at: null, closed_at: null }, now),
      },
      activity: true, fields,
      // The values are part of the ticket being sent, not changes to it: no history of their own.
      history: [{ kind: 'status', from: current.name, to: status.name }], at: now, announce: { requester: true, group: true },
    });
    await dispatchTicket(trx, id);
  });
}
