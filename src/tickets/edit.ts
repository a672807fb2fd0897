import type { Db } from '../db/connect.js';
import type { Priority } from '../db/schema.js';
import { fieldsOfType, readFieldValues, saveFieldValues } from '../fields/fields.js';
import { Invalid, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { Checker, isEmail, positiveInt } from '../lib/validate.js';
import type { MailContext } from '../mail/context.js';
import { isStaff, type Actor } from '../users/actor.js';
import { createCustomer } from '../users/customers.js';
import { findUserByEmail } from '../users/queries.js';
import { applyAssignee, parseAssignee } from './assignment.js';
import { findVisibleTicket, listCcs } from './queries.js';
import { applyStatus } from './status.js';
import { PRIORITIES } from './tickets.js';

export type EditInput = Record<string, string | undefined>;

const VISIBILITIES = ['public', 'internal'] as const;

/** Addresses typed into the CC box: commas, semicolons or new lines between them. */
export function parseCcs(value: unknown): string[] {
  return [...new Set((typeof value === 'string' ? value : '').split(/[,;\s]+/).map((s) => s.trim().toLowerCase()).filter(Boolean))];
}

/**
 * The "Updating Ticket" save: every field of the ticket and of its type, validated all at once;
 * then, in one transaction, one history event per changed field, the assignee (and its mail) and
 * the status last, so "required before Solved" sees the values saved with it.
 */
export async function updateTicket(db: Db, actor: Actor, ticketId: number, input: EditInput, mail: MailContext): Promise<void> {
  if (!isStaff(actor)) throw new NotFound();
  const ticket = await findVisibleTicket(db, actor, ticketId);
  if (!ticket) throw new NotFound();

  const check = new Checker();
  const subject = check.text('subject', input.subject, { max: 200 });
  const priority = check.oneOf<Priority>('priority', input.priority, PRIORITIES);
  const visibility = check.oneOf('visibility', input.visibility, VISIBILITIES);
  const typeId = positiveInt(input.typeId);
  const type = typeId === null ? undefined : await db.selectFrom('ticket_types').select(['id', 'name'])
    // A retired type stays valid on the tickets that already have it.
    .where('id', '=', typeId).where((eb) => eb.or([eb('retired_at', 'is', null), eb('id', '=', ticket.type_id)])).executeTakeFirst();
  if (!type) check.add('typeId', 'errors.choice');
  const statusId = positiveInt(input.statusId);
  if (statusId === null) check.add('statusId', 'errors.choice');
  const assigneeId = parseAssignee(actor, input.assigneeId ?? '');
  if (assigneeId === undefined) check.add('assigneeId', 'errors.choice');
  const groupId = input.groupId ? positiveInt(input.groupId) : null;
  const group = groupId === null ? null : await db.selectFrom('groups').select(['id', 'name']).where('id', '=', groupId).executeTakeFirst();
  if (input.groupId && !group) check.add('groupId', 'errors.choice');
  const requesterEmail = check.email('requesterEmail', input.requesterEmail);
  const requester = requesterEmail ? await findUserByEmail(db, requesterEmail) : undefined;
  if (requesterEmail && requester?.role !== 'customer') check.add('requesterEmail', requester ? 'tickets.errors.requesterIsStaff' : 'tickets.errors.requesterUnknown');
  const ccs = parseCcs(input.ccs);
  if (ccs.some((cc) => !isEmail(cc))) check.add('ccs', 'errors.email');
  if (ccs.length > 20) check.add('ccs', 'errors.tooLong');
  const defs = type ? await fieldsOfType(db, type.id) : [];
  const stored = new Map((await db.selectFrom('ticket_field_values').select(['field_id', 'value']).where('ticket_id', '=', ticket.id).execute())
    .map((v) => [v.field_id, v.value]));
  // A retired option the ticket already holds may stay; it cannot be newly chosen.
  const values = readFieldValues(defs, input, 'agent', check, stored);
  check.done();

  const t = mail.translator(actor.locale);
  const yesNo: [string, string] = [t('common.yes'), t('common.no')];
  await db.transaction().execute(async (trx) => {
    const current = await findVisibleTicket(trx, actor, ticketId);
    if (!current) throw new NotFound();
    const now = nowIso();
    const event = (kind: string, from: string | null, to: string | null) =>
      trx.insertInto('ticket_events').values({ ticket_id: current.id, actor_id: actor.id, kind, from_value: from, to_value: to, created_at: now }).execute();
    const changes: Record<string, unknown> = {};
    if (subject !== current.subject) { changes.subject = subject; await event('subject', current.subject, subject); }
    if (priority !== current.priority) { changes.priority = priority; await event('priority', t(`priority.${current.priority}`), t(`priority.${priority}`)); }
    if (visibility !== current.visibility) { changes.visibility = visibility; await event('visibility', t(`visibility.${current.visibility}`), t(`visibility.${visibility}`)); }
    if (type!.id !== current.type_id) { changes.type_id = type!.id; await event('type', current.type_name, type!.name); }
    if (groupId !== current.group_id) { changes.group_id = groupId; await event('group', current.group_name, group?.name ?? null); }
    if (requester && requester.id !== current.requester_id) {
      changes.requester_id = requester.id;
      changes.organization_id = requester.organization_id;
      await event('requester', current.requester_email, requester.email);
    }
    if (Object.keys(changes).length > 0) {
      await trx.updateTable('tickets').set({ ...changes, updated_at: now }).where('id', '=', current.id).execute();
    }
    await saveCcs(trx, current.id, ccs, event, now);
    await saveFieldValues(trx, current.id, defs, values, actor.id, now, yesNo);
    await applyAssignee(trx, actor, current, assigneeId!, now, mail);
    // The form shows the status as it was; if it is unchanged, leave any move the assignment made.
    if (statusId !== current.status_id) {
      const fresh = await findVisibleTicket(trx, actor, ticketId);
      await applyStatus(trx, actor, fresh!, statusId!, now);
    }
  });
}

/** CC'd people must be customers; an unknown address becomes an invited customer, as a requester would. */
async function saveCcs(trx: Db, ticketId: number, emails: string[], event: (kind: string, from: string | null, to: string | null) => Promise<unknown>, now: string) {
  const before = (await listCcs(trx, ticketId)).map((c) => c.email.toLowerCase());
  if (before.slice().sort().join(',') === emails.slice().sort().join(',')) return;
  const ids: number[] = [];
  for (const email of emails) {
    const user = await findUserByEmail(trx, email);
    if (user && user.role !== 'customer') throw new Invalid({ ccs: 'tickets.errors.ccIsStaff' });
    ids.push(user?.id ?? (await createCustomer(trx, { email, name: email.split('@')[0]!, state: 'invited', now })).id);
  }
  await trx.deleteFrom('ticket_ccs').where('ticket_id', '=', ticketId).execute();
  if (ids.length > 0) await trx.insertInto('ticket_ccs').values(ids.map((user_id) => ({ ticket_id: ticketId, user_id }))).execute();
  await event('ccs', before.join(', ') || null, emails.join(', ') || null);
}
