import type { Db, Trx } from '../db/connect.js';
import { changeTicket, type CcChange, type HistoryEntry, type TicketColumns } from '../kernel/index.js';
import { fieldChanges, fieldsOfType, readFieldValues, storedFieldValues } from '../fields/fields.js';
import { Invalid, NotFound, type FieldErrors } from '../lib/errors.js';
import { collect, refuse, type Checked } from '../lib/form.js';
import { nowIso } from '../lib/time.js';
import type { Translate } from '../i18n.js';
import { can, sideOf } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { createCustomer } from '../users/customers.js';
import { findUserByEmail } from '../users/queries.js';
import { applyAssignee } from './assignment.js';
import { findVisibleTicket, listCcs } from './queries.js';
import { applyStatus } from './status.js';
import type { EditInput } from './schemas.js';

/**
 * The "Updating Ticket" save: every field of the ticket and of its type, validated all at once (the
 * form's own mistakes with what only the database can tell: a retired type, an unknown requester,
 * the custom fields); then, in one transaction, one history event per changed field, the assignee
 * (and its mail) and the status last, so "required before Solved" sees the values saved with it.
 */
export async function updateTicket(db: Db, actor: Actor, ticketId: number, form: Checked<EditInput>, t: Translate): Promise<void> {
  if (!can(actor, 'ticket.edit')) throw new NotFound();
  const ticket = await findVisibleTicket(db, actor, ticketId);
  if (!ticket) throw new NotFound();

  const { subject, priority, visibility, typeId, statusId, assigneeId, groupId, requesterEmail, ccs } = form.value;
  const errors: FieldErrors = { ...form.errors };
  const type = typeId === null ? undefined : await db.selectFrom('ticket_types').select(['id', 'name'])
    // A retired type stays valid on the tickets that already have it.
    .where('id', '=', typeId).where((eb) => eb.or([eb('retired_at', 'is', null), eb('id', '=', ticket.type_id)])).executeTakeFirst();
  if (!type) errors.typeId ??= 'errors.choice';
  const group = groupId === null ? null : await db.selectFrom('groups').select(['id', 'name']).where('id', '=', groupId).executeTakeFirst();
  if (groupId !== null && !group) errors.groupId ??= 'errors.choice';
  const requester = requesterEmail ? await findUserByEmail(db, requesterEmail) : undefined;
  if (requesterEmail && (!requester || sideOf(requester) !== 'customer')) errors.requesterEmail ??= requester ? 'tickets.errors.requesterIsStaff' : 'tickets.errors.requesterUnknown';
  const defs = type ? await fieldsOfType(db, type.id) : [];
  const stored = await storedFieldValues(db, ticket.id);
  // A retired option the ticket already holds may stay; it cannot be newly chosen.
  const values = readFieldValues(defs, form.value.fields, 'agent', collect(errors), stored);
  refuse(errors);

  const yesNo: [string, string] = [t('common.yes'), t('common.no')];
  await db.transaction().execute(async (trx) => {
    const current = await findVisibleTicket(trx, actor, ticketId);
    if (!current) throw new NotFound();
    const now = nowIso();
    const history: HistoryEntry[] = [];
    const event = (kind: string, from: string | null, to: string | null) => history.push({ kind, from, to });
    const changes: TicketColumns = {};
    if (subject !== current.subject) { changes.subject = subject; event('subject', current.subject, subject); }
    if (priority !== current.priority) { changes.priority = priority; event('priority', t(`priority.${current.priority}`), t(`priority.${priority}`)); }
    if (visibility !== current.visibility) { changes.visibility = visibility; event('visibility', t(`visibility.${current.visibility}`), t(`visibility.${visibility}`)); }
    if (type!.id !== current.type_id) { changes.type_id = type!.id; event('type', current.type_name, type!.name); }
    if (groupId !== current.group_id) { changes.group_id = groupId; event('group', current.group_name, group?.name ?? null); }
    if (requester && requester.id !== current.requester_id) {
      changes.requester_id = requester.id;
      changes.organization_id = requester.organization_id;
      event('requester', current.requester_email, requester.email);
    }
    const ccChange = await ccsOf(trx, current.id, ccs, event, now);
    const fields = await fieldChanges(trx, current.id, defs, values, yesNo);
    history.push(...fields.history);
    await changeTicket(trx, actor, current.id, { set: changes, fields: fields.values, ccs: ccChange, history, at: now });
    await applyAssignee(trx, actor, current, assigneeId, now);
    // The form shows the status as it was; if it is unchanged, leave any move the assignment made.
    if (statusId !== current.status_id) {
      const fresh = await findVisibleTicket(trx, actor, ticketId);
      await applyStatus(trx, actor, fresh!, statusId, now);
    }
  });
}

/**
 * The form's CC list as a change of the ticket's CCs (with its one history line), or none when it
 * lists the same people. CC'd people must be customers; an unknown address becomes an invited
 * customer, as a requester would.
 */
async function ccsOf(trx: Trx, ticketId: number, emails: string[], event: (kind: string, from: string | null, to: string | null) => unknown, now: string): Promise<CcChange | undefined> {
  const current = await listCcs(trx, ticketId);
  const before = current.map((c) => c.email.toLowerCase());
  if (before.slice().sort().join(',') === emails.slice().sort().join(',')) return undefined;
  const ids: number[] = [];
  for (const email of emails) {
    const user = await findUserByEmail(trx, email);
    if (user && sideOf(user) !== 'customer') throw new Invalid({ ccs: 'tickets.errors.ccIsStaff' });
    ids.push(user?.id ?? (await createCustomer(trx, { email, name: email.split('@')[0]!, state: 'invited', now })).id);
  }
  event('ccs', before.join(', ') || null, emails.join(', ') || null);
  return { add: ids, remove: current.map((c) => c.id).filter((id) => !ids.includes(id)) };
}
