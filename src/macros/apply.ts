import { sql } from 'kysely';
import type { Db, Trx } from '../db/connect.js';
import type { Translate } from '../i18n.js';
import { changeTicket, type HistoryEntry, type TicketColumns } from '../kernel/index.js';
import { Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { can } from '../policy/can.js';
import { literal } from '../signatures/signatures.js';
import { checkManagedTags } from '../tags/tags.js';
import { applyAssignee } from '../tickets/assignment.js';
import { findVisibleTicket } from '../tickets/queries.js';
import { applyStatus } from '../tickets/status.js';
import type { Actor } from '../users/actor.js';
import { FIELD_PLACEHOLDER, groupsOf, PLACEHOLDER, type MacroActions } from './macros.js';

/**
 * Applying a macro (issue 20, point 1) or a rule's actions: the placeholders filled in for a ticket,
 * the actions described for the compose box, and written through the kernel when the agent sends.
 * The macros themselves (saving, listing, finding) are in macros.ts.
 */

export type VisibleTicket = NonNullable<Awaited<ReturnType<typeof findVisibleTicket>>>;

/** The ticket as the placeholders need it (a ticket page's, or one read for a trigger). */
export type PlaceholderTicket = Pick<VisibleTicket, 'id' | 'subject' | 'requester_name' | 'organization_name'>;

/** Each placeholder's value for this ticket (`agent.name` is `agentName`). */
export async function placeholderValues(db: Db, agentName: string, ticket: PlaceholderTicket): Promise<Record<string, string>> {
  const fields = await db.selectFrom('ticket_field_values').innerJoin('fields', 'fields.id', 'ticket_field_values.field_id')
    .select(['fields.key', 'ticket_field_values.value']).where('ticket_field_values.ticket_id', '=', ticket.id).execute();
  return {
    'ticket.id': String(ticket.id),
    'ticket.subject': ticket.subject,
    'requester.name': ticket.requester_name,
    'requester.first_name': ticket.requester_name.trim().split(/\s+/)[0] ?? '',
    'agent.name': agentName,
    'organization.name': ticket.organization_name ?? '',
    ...Object.fromEntries(fields.map((f) => [`ticket.fields.${f.key}`, f.value])),
  };
}

/** A text with its placeholders filled in, each value through `as` (Markdown: `literal`; a mail subject: as is). */
export function fillPlaceholders(body: string, values: Record<string, string>, as: (value: string) => string = literal): string {
  return body.replace(PLACEHOLDER, (whole, name: string) => {
    if (name in values) return as(values[name]!);
    // A field the ticket has no value for (or retired since the macro was saved): nothing.
    return FIELD_PLACEHOLDER.test(name) ? '' : whole;
  });
}

/** The macro's text for this ticket: each placeholder filled in as literal text (never as Markdown). */
export async function fillMacro(db: Db, actor: Actor, ticket: PlaceholderTicket, body: string): Promise<string> {
  return fillPlaceholders(body, await placeholderValues(db, actor.name, ticket));
}

/** The actions as the agent reads them ("Status: Solved", "Add tags: billing"), for the compose box. */
export async function describeActions(db: Db, actions: MacroActions, t: Translate, actor: Actor): Promise<string[]> {
  const lines: string[] = [];
  const name = (row: { name: string } | undefined, id: number) => row?.name ?? `#${id}`;
  if (actions.statusId !== undefined) {
    const row = await db.selectFrom('statuses').select('name').where('id', '=', actions.statusId).executeTakeFirst();
    lines.push(t('macros.action.status', { value: name(row, actions.statusId) }));
  }
  if (actions.priority !== undefined) lines.push(t('macros.action.priority', { value: t(`priority.${actions.priority}`) }));
  if (actions.typeId !== undefined) {
    const row = await db.selectFrom('ticket_types').select('name').where('id', '=', actions.typeId).executeTakeFirst();
    lines.push(t('macros.action.type', { value: name(row, actions.typeId) }));
  }
  if (actions.groupId !== undefined) {
    const group = actions.groupId;
    const row = group === null ? undefined : await db.selectFrom('groups').select('name').where('id', '=', group).executeTakeFirst();
    lines.push(t('macros.action.group', { value: group === null ? t('macros.noGroup') : name(row, group) }));
  }
  if (actions.assignee !== undefined) {
    const who = actions.assignee;
    const row = typeof who === 'number' ? await db.selectFrom('users').select('name').where('id', '=', who).executeTakeFirst() : undefined;
    lines.push(t('macros.action.assignee', { value: who === null ? t('macros.nobody') : who === 'sender' ? t('macros.me', { name: actor.name }) : name(row, who) }));
  }
  if (actions.addTags?.length) lines.push(t('macros.action.addTags', { value: actions.addTags.join(', ') }));
  if (actions.removeTags?.length) lines.push(t('macros.action.removeTags', { value: actions.removeTags.join(', ') }));
  return lines;
}

/**
 * A macro's actions on a ticket, in the transaction of the message it came with (messages.ts
 * `also`): a history line naming the macro, then the actions (applyActions). The macro's use is
 * counted. Refusals name the compose box (`macro`).
 */
export async function applyMacroActions(trx: Trx, actor: Actor, ticketId: number, applied: { macroId: number; actions: MacroActions }, t: Translate): Promise<void> {
  const macro = await trx.selectFrom('macros').selectAll().where('id', '=', applied.macroId).executeTakeFirst();
  const memberOf = await groupsOf(trx, actor.id);
  if (!macro || !can(actor, 'macro.use', { ...macro, memberOf })) throw new Invalid({ macro: 'macros.errors.gone' }, 'macros.errors.gone');
  const ticket = await findVisibleTicket(trx, actor, ticketId);
  if (!ticket) throw new NotFound();
  const now = nowIso();
  await applyActions(trx, actor, actor, ticket, applied.actions, t, { kind: 'macro', from: null, to: macro.name }, now);
  await trx.updateTable('macros').set({ usage_count: sql<number>`usage_count + 1`, last_used_at: now }).where('id', '=', macro.id).execute();
}

/**
 * Actions on a ticket, by a person (`actor`, whose permissions are checked) or by Deskbell itself
 * (`actor` null: a trigger or an automation, whose admin decided; `reader` then reads the ticket
 * unscoped): the `header` history line (if any), priority, type, group and tags in one kernel
 * change, then the assignee and the status (last: an assignment may move it) by the same rules as
 * the ticket page. Macros and rules (src/rules/) share it.
 */
export async function applyActions(
  trx: Trx, actor: Actor | null, reader: Actor, ticket: VisibleTicket, actions: MacroActions, t: Translate, header: HistoryEntry | null, now: string,
): Promise<void> {
  const allowed = (action: 'ticket.edit' | 'ticket.tag' | 'ticket.assign' | 'ticket.setStatus') => {
    if (actor !== null && !can(actor, action)) throw new Forbidden();
  };
  const set: TicketColumns = {};
  const history: HistoryEntry[] = header ? [header] : [];
  if (actions.priority !== undefined && actions.priority !== ticket.priority) {
    allowed('ticket.edit');
    set.priority = actions.priority;
    history.push({ kind: 'priority', from: t(`priority.${ticket.priority}`), to: t(`priority.${actions.priority}`) });
  }
  if (actions.typeId !== undefined && actions.typeId !== ticket.type_id) {
    allowed('ticket.edit');
    const type = await trx.selectFrom('ticket_types').select(['id', 'name']).where('id', '=', actions.typeId).where('retired_at', 'is', null).executeTakeFirst();
    if (!type) throw new Invalid({ macro: 'macros.errors.actionGone' }, 'macros.errors.actionGone');
    set.type_id = type.id;
    history.push({ kind: 'type', from: ticket.type_name, to: type.name });
  }
  if (actions.groupId !== undefined && actions.groupId !== ticket.group_id) {
    allowed('ticket.edit');
    const group = actions.groupId === null ? null : await trx.selectFrom('groups').select(['id', 'name']).where('id', '=', actions.groupId).executeTakeFirst();
    if (actions.groupId !== null && !group) throw new Invalid({ macro: 'macros.errors.actionGone' }, 'macros.errors.actionGone');
    set.group_id = actions.groupId;
    history.push({ kind: 'group', from: ticket.group_name, to: group?.name ?? null });
  }
  const add = actions.addTags ?? [];
  const remove = actions.removeTags ?? [];
  if (add.length > 0 || remove.length > 0) allowed('ticket.tag');
  try {
    await checkManagedTags(trx, add, 'macro');
  } catch (error) {
    if (!(error instanceof Invalid)) throw error;
    throw new Invalid({ macro: 'tags.errors.notManaged' }, 'tags.errors.notManaged', error.params);
  }
  await changeTicket(trx, actor, ticket.id, { set, history, at: now, ...(add.length + remove.length > 0 ? { tags: { add, remove } } : {}) });
  if (actions.assignee !== undefined) {
    allowed('ticket.assign');
    const fresh = (await findVisibleTicket(trx, reader, ticket.id))!;
    const assignee = actions.assignee === 'sender' ? actor?.id ?? null : actions.assignee;
    try {
      await applyAssignee(trx, actor, fresh, assignee, now);
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      throw new Invalid({ macro: 'macros.errors.actionGone' }, 'macros.errors.actionGone');
    }
  }
  if (actions.statusId !== undefined) {
    allowed('ticket.setStatus');
    const fresh = (await findVisibleTicket(trx, reader, ticket.id))!;
    try {
      await applyStatus(trx, actor, fresh, actions.statusId, now);
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      if (error.message === 'tickets.errors.requiredBeforeStatus') throw new Invalid({ macro: error.message }, error.message, error.params);
      throw new Invalid({ macro: 'macros.errors.actionGone' }, 'macros.errors.actionGone');
    }
  }
}
