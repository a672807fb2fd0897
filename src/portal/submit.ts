import type { Db } from '../db/connect.js';
import type { StatusCategory } from '../db/schema.js';
import { LIMITS, throttle } from '../auth/throttle.js';
import { dispatchTicket } from '../fleet/dispatch.js';
import { fieldsOfType, readFieldValues, saveFieldValues } from '../fields/fields.js';
import { Forbidden } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { Checker, positiveInt } from '../lib/validate.js';
import type { MailContext } from '../mail/context.js';
import { attachUploads } from '../attachments/uploads.js';
import { renderMarkdown } from '../messages/markdown.js';
import { getNumberSetting, getSetting } from '../settings/settings.js';
import { defaultStatusId } from '../tickets/queries.js';
import { statusStamps } from '../tickets/status.js';
import { notifyTicketCreated } from '../notify/notify.js';
import type { Actor } from '../users/actor.js';
import { activeServices, customerTopics } from './submit-queries.js';

export type SubmitInput = Record<string, string | undefined>;

/** Seed 004: "Not related to a service" is offered unless the operator requires a service. */
export async function serviceRequired(db: Db): Promise<boolean> {
  return (await getSetting(db, 'portal.service_required')) === '1';
}

/** The help topic the form starts with: the configured portal default, else the desk's default type. */
export async function defaultTopicId(db: Db): Promise<number | null> {
  return (await getNumberSetting(db, 'portal.default_type_id')) ?? getNumberSetting(db, 'default_type_id');
}

/**
 * A customer submits a ticket (seed 002). The topic decides the extra fields; a service decides
 * the group (its provider), otherwise the topic's default group, otherwise the desk's default group.
 * Ticket, first message, field values, attachments and the confirmation mail: one transaction.
 */
export async function submitTicket(db: Db, actor: Actor, input: SubmitInput, uploadIds: number[], mail: MailContext): Promise<number> {
  const form = await checkSubmission(db, actor, input);
  return db.transaction().execute(async (trx) => {
    // Counted in the transaction: a submission that fails does not use up the customer's allowance.
    const perHour = await getNumberSetting(trx, 'portal.tickets_per_hour') ?? LIMITS.portalTickets.max;
    await throttle(trx, `submit:${actor.id}`, { ...LIMITS.portalTickets, max: perHour }, 'portal.submit.tooMany');
    const statusId = form.topic.initial_status_id ?? await defaultStatusId(trx, 'new');
    const status = await trx.selectFrom('statuses').select('category').where('id', '=', statusId ?? -1).executeTakeFirst();
    if (!status) throw new Error('the desk has no "new" status');
    const ticketId = await createPortalTicket(trx, actor, form, { id: statusId!, category: status.category }, uploadIds);
    await notifyTicketCreated(trx, mail, ticketId);
    await dispatchTicket(trx, ticketId, mail);
    return ticketId;
  });
}

export type CheckedSubmission = Awaited<ReturnType<typeof checkSubmission>>;

/**
 * Write a customer's ticket from a checked form (a submission or a draft), in the caller's
 * transaction: the ticket in the given status, its first message with the uploads, the field values
 * and one 'created' event. Routing: a service's provider group, else the topic's, else the desk's.
 */
export async function createPortalTicket(
  trx: Db, actor: Actor, form: CheckedSubmission, status: { id: number; category: StatusCategory }, uploadIds: number[],
): Promise<number> {
  const { subject, message, topic, brandId, service, defs, values } = form;
  const groupId = service?.provider_group_id ?? topic.default_group_id ?? await getNumberSetting(trx, 'default_group_id');
  const now = nowIso();
  const ticket = await trx.insertInto('tickets').values({
    subject, type_id: topic.id, brand_id: brandId, status_id: status.id, priority: topic.default_priority, visibility: 'public',
    requester_id: actor.id, organization_id: actor.organizationId, assignee_id: null, group_id: groupId,
    service_id: service?.id ?? null, channel: 'portal', created_by_id: actor.id, created_at: now, updated_at: now,
    last_activity_at: now, last_replier_id: actor.id, first_response_at: null,
    ...statusStamps(status.category, { solved_at: null, closed_at: null }, now),
  }).returning('id').executeTakeFirstOrThrow();
  const first = await trx.insertInto('messages').values({
    ticket_id: ticket.id, author_id: actor.id, kind: 'reply', body_text: message, body_html: renderMarkdown(message),
    via: 'web', email_message_id: null, match_reason: null, created_at: now,
  }).returning('id').executeTakeFirstOrThrow();
  if (uploadIds.length > 0) await attachUploads(trx, actor, first.id, uploadIds);
  await saveFieldValues(trx, ticket.id, defs, values, actor.id, now, ['Yes', 'No']);
  // The values the customer gave are part of the ticket's creation, not changes to it.
  await trx.deleteFrom('ticket_events').where('ticket_id', '=', ticket.id).where('kind', '=', 'field').execute();
  await trx.insertInto('ticket_events').values({
    ticket_id: ticket.id, actor_id: actor.id, kind: 'created', from_value: null, to_value: subject, created_at: now,
  }).execute();
  return ticket.id;
}

/** Every check of the form at once (also used to report all mistakes when a file was refused). */
export async function checkSubmission(db: Db, actor: Actor, input: SubmitInput) {
  if (actor.role !== 'customer') throw new Forbidden();
  const check = new Checker();
  const topics = await customerTopics(db);
  const topicId = positiveInt(input.typeId);
  const topic = topics.find((t) => t.id === topicId);
  if (!topic) check.add('typeId', 'errors.choice');
  const subject = check.text('subject', input.subject, { max: 200 });
  const message = check.longText('message', input.message);
  const brands = await db.selectFrom('brands').select(['id']).orderBy('name').execute();
  const brandId = brands.length === 1 ? brands[0]!.id : positiveInt(input.brandId);
  if (!brands.some((b) => b.id === brandId)) check.add('brandId', 'errors.required');
  const services = await activeServices(db, actor);
  const serviceId = input.serviceId ? positiveInt(input.serviceId) : null;
  const service = services.find((s) => s.id === serviceId);
  if (input.serviceId && !service) check.add('serviceId', 'errors.choice');
  if (!input.serviceId && services.length > 0 && await serviceRequired(db)) check.add('serviceId', 'errors.required');
  const defs = topic ? await fieldsOfType(db, topic.id) : [];
  const values = readFieldValues(defs, input, 'customer', check);
  check.done();
  return { subject, message, topic: topic!, brandId: brandId!, service, defs, values };
}
