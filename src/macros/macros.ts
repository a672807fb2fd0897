import { sql } from 'kysely';
import { recordAudit } from '../admin/audit.js';
import type { Db, Trx } from '../db/connect.js';
import { likeIgnoringCase } from '../db/dialect.js';
import type { Priority } from '../db/schema.js';
import type { Translate } from '../i18n.js';
import { changeTicket, type HistoryEntry, type TicketColumns } from '../kernel/index.js';
import { Forbidden, Invalid, NotFound, type FieldErrors } from '../lib/errors.js';
import { messageWith } from '../lib/form.js';
import { nowIso } from '../lib/time.js';
import { can, rolesOn } from '../policy/can.js';
import { literal } from '../signatures/signatures.js';
import { checkManagedTags } from '../tags/tags.js';
import { applyAssignee } from '../tickets/assignment.js';
import { findVisibleTicket } from '../tickets/queries.js';
import { applyStatus } from '../tickets/status.js';
import type { Actor } from '../users/actor.js';
import type { Macro } from './schema.js';
import { removeStoredFiles } from '../attachments/store.js';
import { checkMacroFiles, copyMacroFiles, NO_FILE_CHANGES, saveMacroFiles, storageKeysOfMacro, type MacroFileChanges } from './files.js';

/**
 * Macros (issue 20, point 1): canned responses. A macro fills the compose box with its text (the
 * placeholders filled in for the ticket, as literal text) and lists its actions; nothing is sent or
 * changed until the agent presses Send, when the message and the actions are written in one
 * transaction through the kernel, and the macro's use is counted.
 */

export const MACRO_KINDS = ['reply', 'update', 'note'] as const;
export type MacroKind = (typeof MACRO_KINDS)[number];

/** What a macro's text may say besides text; `ticket.fields.<key>` for a custom field that exists. */
export const MACRO_PLACEHOLDERS = ['ticket.id', 'ticket.subject', 'requester.name', 'requester.first_name', 'agent.name', 'organization.name'] as const;
const FIELD_PLACEHOLDER = /^ticket\.fields\.([a-z0-9_]{1,40})$/;
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
export const MACRO_BODY_MAX = 20_000;

/** What a macro does to the ticket when its message is sent; a missing key leaves that property alone. */
export interface MacroActions {
  statusId?: number;
  priority?: Priority;
  typeId?: number;
  /** null: no group. */
  groupId?: number | null;
  /** 'sender': whoever sends the message (the form's "me"); null: nobody. */
  assignee?: 'sender' | number | null;
  addTags?: string[];
  removeTags?: string[];
}

export interface MacroInput {
  name: string;
  body: string;
  kind: MacroKind;
  shared: boolean;
  groupId: number | null;
  actions: MacroActions;
}

/** The placeholders a text uses that macros do not know (a field placeholder needs one of `fieldKeys`). */
export function unknownPlaceholders(text: string, fieldKeys: ReadonlySet<string>): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((name) => {
    if ((MACRO_PLACEHOLDERS as readonly string[]).includes(name)) return false;
    const field = FIELD_PLACEHOLDER.exec(name);
    return !(field && fieldKeys.has(field[1]!));
  });
}

/** The keys of the custom fields in use (what `{{ticket.fields.<key>}}` may name). */
export async function fieldKeys(db: Db): Promise<Set<string>> {
  return new Set((await db.selectFrom('fields').select('key').where('retired_at', 'is', null).execute()).map((r) => r.key));
}

export function parseActions(json: string): MacroActions {
  try {
    const value = JSON.parse(json) as unknown;
    return value && typeof value === 'object' ? (value as MacroActions) : {};
  } catch {
    return {};
  }
}

// ---------------------------------------------------------------------------------------------
// Who sees which macro

async function groupsOf(db: Db, userId: number): Promise<number[]> {
  return (await db.selectFrom('group_members').select('group_id').where('user_id', '=', userId).execute()).map((r) => r.group_id);
}

/**
 * The macros a person may see: their own personal ones, and the shared ones offered to them (not
 * limited to a group, or limited to one of theirs); supervisors and admins, who manage shared
 * macros, see every shared one. `forUse`: only what the compose box offers (the policy's `macro.use`).
 */
function visibleMacros(db: Db, actor: Actor, memberOf: number[], forUse: boolean) {
  const allShared = !forUse && can(actor, 'macros.share');
  return db.selectFrom('macros').where((eb) => eb.or([
    eb.and([eb('macros.owner_id', '=', actor.id), eb('macros.shared', '=', 0)]),
    allShared ? eb('macros.shared', '=', 1)
      : eb.and([eb('macros.shared', '=', 1), eb.or([eb('macros.group_id', 'is', null), ...(memberOf.length > 0 ? [eb('macros.group_id', 'in', memberOf)] : [])])]),
  ]));
}

export interface MacroRow extends Macro { group_name: string | null; canManage: boolean }

/** The macros page: visible macros by name (personal first), optionally those whose name or text contains `q`. */
export async function listMacros(db: Db, actor: Actor, q = ''): Promise<MacroRow[]> {
  if (!can(actor, 'macros.use')) throw new NotFound();
  const memberOf = await groupsOf(db, actor.id);
  let query = visibleMacros(db, actor, memberOf, false).leftJoin('groups', 'groups.id', 'macros.group_id')
    .selectAll('macros').select('groups.name as group_name');
  const typed = q.trim();
  if (typed) {
    const pattern = `%${typed.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([likeIgnoringCase(db, sql`macros.name`, pattern), likeIgnoringCase(db, sql`macros.body`, pattern)]));
  }
  const rows = await query.orderBy('macros.shared').orderBy('macros.name').orderBy('macros.id').execute();
  return rows.map((row) => ({ ...row, canManage: can(actor, 'macro.manage', row) }));
}

/** What the compose box's picker offers (by name), optionally whose name contains `q`. */
export async function usableMacros(db: Db, actor: Actor, q = '', limit = 200) {
  if (!can(actor, 'macros.use')) return [];
  const memberOf = await groupsOf(db, actor.id);
  let query = visibleMacros(db, actor, memberOf, true).select(['macros.id', 'macros.name', 'macros.kind']);
  const typed = q.trim();
  if (typed) query = query.where(likeIgnoringCase(db, sql`macros.name`, `%${typed.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
  return query.orderBy('macros.name').orderBy('macros.id').limit(limit).execute();
}

/** A macro the person may see (on the macros page), or NotFound. */
export async function findVisibleMacro(db: Db, actor: Actor, id: number): Promise<Macro> {
  if (!can(actor, 'macros.use')) throw new NotFound();
  const macro = await visibleMacros(db, actor, await groupsOf(db, actor.id), false).selectAll().where('macros.id', '=', id).executeTakeFirst();
  if (!macro) throw new NotFound();
  return macro;
}

/** A macro the compose box offers this person, or NotFound (a group's macro for others, someone else's). */
export async function findUsableMacro(db: Db, actor: Actor, id: number): Promise<Macro> {
  const macro = await db.selectFrom('macros').selectAll().where('id', '=', id).executeTakeFirst();
  if (!macro || !can(actor, 'macro.use', { ...macro, memberOf: await groupsOf(db, actor.id) })) throw new NotFound();
  return macro;
}

// ---------------------------------------------------------------------------------------------
// Saving

/** The form's choices, checked against what exists; every mistake at once (with the form's own). */
async function checkInput(db: Db, actor: Actor, input: MacroInput, formErrors: FieldErrors): Promise<void> {
  if (input.shared && !can(actor, 'macros.share')) throw new Forbidden('macros.errors.sharedByManagers');
  const errors: FieldErrors = { ...formErrors };
  const { actions } = input;
  if (!errors.body) {
    const unknown = unknownPlaceholders(input.body, await fieldKeys(db));
    if (unknown.length > 0) errors.body = messageWith('macros.errors.unknownPlaceholder', { name: `{{${unknown[0]!}}}` });
  }
  if (input.shared && input.groupId !== null && !(await db.selectFrom('groups').select('id').where('id', '=', input.groupId).executeTakeFirst())) {
    errors.groupId ??= 'errors.choice';
  }
  if (actions.statusId !== undefined && !(await db.selectFrom('statuses').select('id').where('id', '=', actions.statusId).where('retired_at', 'is', null).executeTakeFirst())) {
    errors.status ??= 'errors.choice';
  }
  if (actions.typeId !== undefined && !(await db.selectFrom('ticket_types').select('id').where('id', '=', actions.typeId).where('retired_at', 'is', null).executeTakeFirst())) {
    errors.type ??= 'errors.choice';
  }
  if (typeof actions.groupId === 'number' && !(await db.selectFrom('groups').select('id').where('id', '=', actions.groupId).executeTakeFirst())) {
    errors.group ??= 'errors.choice';
  }
  if (typeof actions.assignee === 'number' && !(await db.selectFrom('users').select('id').where('id', '=', actions.assignee)
    .where('role', 'in', rolesOn('staff')).where('state', '=', 'active').executeTakeFirst())) {
    errors.assignee ??= 'errors.choice';
  }
  if (!errors.addTags && actions.addTags?.length) {
    try {
      await checkManagedTags(db, actions.addTags, 'addTags');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      errors.addTags = messageWith('tags.errors.notManaged', error.params);
    }
  }
  if (Object.keys(errors).length > 0) throw new Invalid(errors);
}

function columns(input: MacroInput) {
  return {
    name: input.name, body: input.body, kind: input.kind, shared: input.shared ? 1 : 0,
    group_id: input.shared ? input.groupId : null, actions: JSON.stringify(input.actions),
  };
}

/** `uploadsDir`: where a duplicate's copied files are written (files.copy). */
export async function createMacro(db: Db, actor: Actor, input: MacroInput, formErrors: FieldErrors = {}, files: MacroFileChanges = NO_FILE_CHANGES, uploadsDir?: string): Promise<number> {
  if (!can(actor, 'macros.use')) throw new NotFound();
  // Files are copied only from a macro the person sees.
  if (files.copy) await findVisibleMacro(db, actor, files.copy.fromId);
  await checkInput(db, actor, input, { ...formErrors, ...(await checkMacroFiles(db, actor, null, files)) });
  const copied = uploadsDir !== undefined && files.copy ? await copyMacroFiles(db, uploadsDir, files.copy) : null;
  try {
    return await db.transaction().execute(async (trx) => {
      const now = nowIso();
      const values = columns(input);
      const { id } = await trx.insertInto('macros').values({ owner_id: actor.id, ...values, created_at: now, updated_at: now })
        .returning('id').executeTakeFirstOrThrow();
      await saveMacroFiles(trx, actor, id, { ...files, removeIds: [] });
      await copied?.adopt(trx, id);
      if (values.shared) await recordAudit(trx, actor, { action: 'macro.created', subjectType: 'macro', subjectId: id, after: { name: values.name, group_id: values.group_id } });
      return id;
    });
  } catch (error) {
    await copied?.discard();
    throw error;
  }
}

/** `uploadsDir`: where the files the form removes are deleted from, after the commit. */
export async function updateMacro(db: Db, actor: Actor, id: number, input: MacroInput, formErrors: FieldErrors = {}, files: MacroFileChanges = NO_FILE_CHANGES, uploadsDir?: string): Promise<void> {
  const current = await findVisibleMacro(db, actor, id);
  if (!can(actor, 'macro.manage', current)) throw new Forbidden('macros.errors.sharedByManagers');
  await checkInput(db, actor, input, { ...formErrors, ...(await checkMacroFiles(db, actor, id, files)) });
  const removed = await db.transaction().execute(async (trx) => {
    const values = columns(input);
    await trx.updateTable('macros').set({ ...values, updated_at: nowIso() }).where('id', '=', id).execute();
    const keys = await saveMacroFiles(trx, actor, id, files);
    if (current.shared || values.shared) {
      await recordAudit(trx, actor, { action: 'macro.changed', subjectType: 'macro', subjectId: id,
        before: { name: current.name, shared: current.shared, group_id: current.group_id }, after: { name: values.name, shared: values.shared, group_id: values.group_id } });
    }
    return keys;
  });
  if (uploadsDir !== undefined) await removeStoredFiles(uploadsDir, removed);
}

/** The macro's files go from the disk after the commit (a copy sent with a message has its own key and stays). */
export async function deleteMacro(db: Db, actor: Actor, id: number, uploadsDir?: string): Promise<void> {
  const current = await findVisibleMacro(db, actor, id);
  if (!can(actor, 'macro.manage', current)) throw new Forbidden('macros.errors.sharedByManagers');
  const keys = await db.transaction().execute(async (trx) => {
    const files = await storageKeysOfMacro(trx, id);
    await trx.deleteFrom('macros').where('id', '=', id).execute();
    if (current.shared) await recordAudit(trx, actor, { action: 'macro.deleted', subjectType: 'macro', subjectId: id, before: { name: current.name } });
    return files;
  });
  if (uploadsDir !== undefined) await removeStoredFiles(uploadsDir, keys);
}

// ---------------------------------------------------------------------------------------------
// Applying

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
