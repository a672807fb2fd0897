import { sql } from 'kysely';
import { recordAudit } from '../admin/audit.js';
import { ChangeCache } from '../db/change-cache.js';
import type { Db } from '../db/connect.js';
import { likeIgnoringCase } from '../db/dialect.js';
import type { Priority } from '../db/schema.js';
import { Forbidden, Invalid, NotFound, type FieldErrors } from '../lib/errors.js';
import { messageWith } from '../lib/form.js';
import { nowIso } from '../lib/time.js';
import { can, rolesOn } from '../policy/can.js';
import { checkManagedTags } from '../tags/tags.js';
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
export const FIELD_PLACEHOLDER = /^ticket\.fields\.([a-z0-9_]{1,40})$/;
export const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
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

export async function groupsOf(db: Db, userId: number): Promise<number[]> {
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
export async function usableMacros(db: Db, actor: Actor, q = '', limit = 200): Promise<readonly PickerMacro[]> {
  if (!can(actor, 'macros.use')) return [];
  const typed = q.trim();
  // Every ticket page offers the whole list: remembered per person until the database changes.
  if (!typed && !db.isTransaction) return pickerLists.get(db, `${actor.id}|${limit}`, () => readUsableMacros(db, actor, '', limit));
  return readUsableMacros(db, actor, typed, limit);
}

export interface PickerMacro { id: number; name: string; kind: string }
const pickerLists = new ChangeCache<PickerMacro[]>(500);

async function readUsableMacros(db: Db, actor: Actor, typed: string, limit: number): Promise<PickerMacro[]> {
  const memberOf = await groupsOf(db, actor.id);
  let query = visibleMacros(db, actor, memberOf, true).select(['macros.id', 'macros.name', 'macros.kind']);
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
