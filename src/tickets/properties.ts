import type { Db, Trx } from '../db/connect.js';
import type { Priority } from '../db/schema.js';
import { fieldChanges, fieldName, fieldsOfType, readFieldValues, storedFieldValues } from '../fields/fields.js';
import type { Translate } from '../i18n.js';
import { changeTicket } from '../kernel/index.js';
import { Invalid, NotFound, type FieldErrors } from '../lib/errors.js';
import { collect, refuse } from '../lib/form.js';
import { nowIso } from '../lib/time.js';
import { can, type RoleAction } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { applyAssignee } from './assignment.js';
import { findVisibleTicket } from './queries.js';
import { applyStatus, type StatusOptions } from './status.js';

/** One property of a ticket, as the side panel of its page changes it (one small form each). */
export type PropertyChange =
  | { property: 'status'; statusId: number }
  | { property: 'priority'; priority: Priority }
  | { property: 'assignee'; assigneeId: number | null }
  | { property: 'group'; groupId: number | null }
  | { property: 'type'; typeId: number }
  /** A custom field of the ticket's type, by its form name (`field_<key>`), as typed. */
  | { property: 'field'; name: string; value: string };

const ALLOWED: Record<PropertyChange['property'], RoleAction> = {
  status: 'ticket.setStatus', assignee: 'ticket.assign', priority: 'ticket.edit', group: 'ticket.edit', type: 'ticket.edit', field: 'ticket.edit',
};

type VisibleTicket = NonNullable<Awaited<ReturnType<typeof findVisibleTicket>>>;

/**
 * Change one property from the ticket page's side panel, by the rules of "Updating Ticket" (which
 * stays for changing everything at once): the same checks, the same history lines, and the kernel's
 * one door (changeTicket: history, derived columns and the `ticket.changed` event) in one transaction.
 * A value that is already the ticket's changes nothing and records nothing.
 */
export async function changeProperty(db: Db, actor: Actor, ticketId: number, change: PropertyChange, t: Translate, options: StatusOptions = {}): Promise<void> {
  if (!can(actor, ALLOWED[change.property])) throw new NotFound();
  await db.transaction().execute(async (trx) => {
    const ticket = await findVisibleTicket(trx, actor, ticketId);
    if (!ticket) throw new NotFound();
    const now = nowIso();
    switch (change.property) {
      case 'status': await applyStatus(trx, actor, ticket, change.statusId, now, 'status', options); break;
      case 'assignee': await applyAssignee(trx, actor, ticket, change.assigneeId, now); break;
      case 'priority': await setPriority(trx, actor, ticket, change.priority, now, t); break;
      case 'group': await setGroup(trx, actor, ticket, change.groupId, now); break;
      case 'type': await setType(trx, actor, ticket, change.typeId, now); break;
      case 'field': await setField(trx, actor, ticket, change.name, change.value, now, t); break;
    }
  });
}

async function setPriority(trx: Trx, actor: Actor, ticket: VisibleTicket, priority: Priority, now: string, t: Translate) {
  if (priority === ticket.priority) return;
  await changeTicket(trx, actor, ticket.id, {
    set: { priority }, at: now, history: [{ kind: 'priority', from: t(`priority.${ticket.priority}`), to: t(`priority.${priority}`) }],
  });
}

async function setGroup(trx: Trx, actor: Actor, ticket: VisibleTicket, groupId: number | null, now: string) {
  if (groupId === ticket.group_id) return;
  const group = groupId === null ? null : await trx.selectFrom('groups').select(['id', 'name']).where('id', '=', groupId).executeTakeFirst();
  if (groupId !== null && !group) throw new Invalid({ groupId: 'errors.choice' });
  await changeTicket(trx, actor, ticket.id, { set: { group_id: groupId }, at: now, history: [{ kind: 'group', from: ticket.group_name, to: group?.name ?? null }] });
}

/**
 * Another type: offered only while it is not retired. Its fields an agent must fill (required for
 * agents) must already hold a value; otherwise the change is refused with their names, and the
 * "Updating Ticket" form, which shows the new type's fields at once, is the way to change it.
 */
async function setType(trx: Trx, actor: Actor, ticket: VisibleTicket, typeId: number, now: string) {
  if (typeId === ticket.type_id) return;
  const type = await trx.selectFrom('ticket_types').select(['id', 'name']).where('id', '=', typeId).where('retired_at', 'is', null).executeTakeFirst();
  if (!type) throw new Invalid({ typeId: 'errors.choice' });
  const stored = await storedFieldValues(trx, ticket.id);
  const missing = (await fieldsOfType(trx, type.id)).filter((f) => f.required_for_agent === 1 && !stored.get(f.id));
  if (missing.length > 0) {
    throw new Invalid({ typeId: 'tickets.errors.typeNeedsFields' }, 'tickets.errors.typeNeedsFields',
      { type: type.name, fields: missing.map((f) => f.label).join(', ') });
  }
  await changeTicket(trx, actor, ticket.id, { set: { type_id: type.id }, at: now, history: [{ kind: 'type', from: ticket.type_name, to: type.name }] });
}

/** One custom field of the ticket's type, read and checked as the edit form reads it (fields.ts). */
async function setField(trx: Trx, actor: Actor, ticket: VisibleTicket, name: string, value: string, now: string, t: Translate) {
  const field = (await fieldsOfType(trx, ticket.type_id)).find((f) => fieldName(f) === name);
  if (!field) throw new Invalid({ [name]: 'errors.choice' }, 'errors.choice');
  const errors: FieldErrors = {};
  // A retired option the ticket already holds may stay; it cannot be newly chosen.
  const values = readFieldValues([field], { [name]: value }, 'agent', collect(errors), await storedFieldValues(trx, ticket.id));
  refuse(errors);
  const changed = await fieldChanges(trx, ticket.id, [field], values, [t('common.yes'), t('common.no')]);
  if (changed.history.length > 0) await changeTicket(trx, actor, ticket.id, { fields: changed.values, history: changed.history, touch: true, at: now });
}
