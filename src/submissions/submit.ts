import type { Db, Trx } from '../db/connect.js';
import type { StatusCategory } from '../db/schema.js';
import { LIMITS, throttle } from '../auth/throttle.js';
import { dispatchTicket } from '../fleet/dispatch.js';
import { diffFieldValues, fieldsOfType, readFieldValues } from '../fields/fields.js';
import { Forbidden, type FieldErrors } from '../lib/errors.js';
import { collect, refuse, type Checked } from '../lib/form.js';
import { createTicket, NO_ANNOUNCE } from '../kernel/index.js';
import { can } from '../policy/can.js';
import { getNumberSetting, getSetting } from '../settings/settings.js';
import { startingStatus } from '../tickets/queries.js';
import type { Actor } from '../users/actor.js';
import type { SubmitInput } from './schemas.js';
import { activeServices, customerTopics, listBrands } from './queries.js';

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
export async function submitTicket(db: Db, actor: Actor, input: Checked<SubmitInput>, uploadIds: number[], channel: 'portal' | 'api' = 'portal'): Promise<number> {
  const form = await checkSubmission(db, actor, input);
  // The allowance is configuration: read before the transaction (an admin changing it meanwhile is as
  // if the form had come a moment earlier), one query less inside the writer lock.
  const perHour = await submissionsPerHour(db);
  return db.transaction().execute((trx) => writeSubmission(trx, actor, form, uploadIds, perHour, channel));
}

/** How many tickets a customer may submit in an hour (the portal setting, else the built-in limit). */
export async function submissionsPerHour(db: Db): Promise<number> {
  return await getNumberSetting(db, 'portal.tickets_per_hour') ?? LIMITS.portalTickets.max;
}

/** The writes of a submission, in the caller's transaction (a follow-up links the old ticket in the same one). */
export async function writeSubmission(trx: Trx, actor: Actor, form: CheckedSubmission, uploadIds: number[], perHour: number, channel: 'portal' | 'api' = 'portal'): Promise<number> {
  // Counted in the transaction: a submission that fails does not use up the customer's allowance.
  // The status is asked for at once (see createTicket: one turn of the event loop less in the lock).
  const [, status] = await Promise.all([
    throttle(trx, `submit:${actor.id}`, { ...LIMITS.portalTickets, max: perHour }, 'portal.submit.tooMany'),
    startingStatus(trx, form.topic.initial_status_id),
  ]);
  if (!status) throw new Error('the desk has no "new" status');
  const ticketId = await createPortalTicket(trx, actor, form, status, uploadIds, channel);
  await dispatchTicket(trx, ticketId, form.topic);
  return ticketId;
}

export type CheckedSubmission = Awaited<ReturnType<typeof checkSubmission>>;

/**
 * Write a customer's ticket from a checked form (a submission or a draft), in the caller's
 * transaction: the ticket in the given status, its first message with the uploads, the field values
 * and one 'created' event. Routing: a service's provider group, else the topic's, else the desk's.
 */
export async function createPortalTicket(
  trx: Trx, actor: Actor, form: CheckedSubmission, status: { id: number; category: StatusCategory }, uploadIds: number[],
  channel: 'portal' | 'api' = 'portal',
): Promise<number> {
  const { subject, message, topic, brandId, service, defs, values } = form;
  const groupId = service?.provider_group_id ?? topic.default_group_id ?? await getNumberSetting(trx, 'default_group_id');
  const { ticketId } = await createTicket(trx, actor, {
    channel, subject, typeId: topic.id, brandId, statusId: status.id, statusCategory: status.category, priority: topic.default_priority, visibility: 'public',
    requester: { id: actor.id, organizationId: actor.organizationId }, groupId, serviceId: service?.id ?? null,
    // A draft is announced when it is sent (submitDraft), not when it is first saved.
    announce: status.category === 'draft' ? NO_ANNOUNCE : { requester: true, group: true },
    // The values the customer gave are part of the ticket's creation, not changes to it: no history.
    fields: diffFieldValues(defs, values, new Map(), ['Yes', 'No']).values,
    message: { kind: 'reply', bodyText: message, uploadIds },
  });
  return ticketId;
}

/**
 * Every check of the form at once: its own mistakes (schemas.ts) with what the database says about
 * topic, brand, service and the topic's fields (also used to report all mistakes when a file was refused).
 */
export async function checkSubmission(db: Db, actor: Actor, form: Checked<SubmitInput>) {
  if (!can(actor, 'ticket.submit')) throw new Forbidden();
  const { typeId, subject, message, serviceId, fields } = form.value;
  const errors: FieldErrors = { ...form.errors };
  const topics = await customerTopics(db);
  const topic = topics.find((t) => t.id === typeId);
  if (!topic) errors.typeId ??= 'errors.choice';
  const brands = await listBrands(db);
  const brandId = brands.length === 1 ? brands[0]!.id : form.value.brandId;
  if (!brands.some((b) => b.id === brandId)) errors.brandId ??= 'errors.required';
  const services = await activeServices(db, actor);
  const service = services.find((s) => s.id === serviceId);
  if (serviceId !== null && !service) errors.serviceId ??= 'errors.choice';
  if (serviceId === null && services.length > 0 && await serviceRequired(db)) errors.serviceId ??= 'errors.required';
  const defs = topic ? await fieldsOfType(db, topic.id) : [];
  const values = readFieldValues(defs, fields, 'customer', collect(errors));
  refuse(errors);
  return { subject, message, topic: topic!, brandId: brandId!, service, defs, values };
}
