import * as z from 'zod';
import { Invalid, type FieldErrors } from '../lib/errors.js';
import { choice, flag, id, longText, readForm, text, unchanged, withBlank } from '../lib/form.js';
import { positiveInt } from '../lib/validate.js';
import { normaliseTag } from '../tags/schemas.js';
import { PRIORITIES } from '../tickets/tickets.js';
import type { MacroFileChanges } from './files.js';
import { MACRO_BODY_MAX, MACRO_KINDS, type MacroActions, type MacroInput } from './macros.js';

const asString = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Tags typed one after the other (spaces or commas), each by the tag rule; a wrong one is named. */
export function tagList() {
  return withBlank(z.preprocess(asString, z.string().transform((typed, ctx) => {
    const names: string[] = [];
    for (const word of typed.split(/[\s,]+/).filter(Boolean)) {
      const tag = normaliseTag(word);
      if (tag === null) {
        ctx.addIssue({ code: 'custom', message: 'macros.errors.tag' });
        return [];
      }
      if (!names.includes(tag)) names.push(tag);
    }
    return names;
  })), []);
}

/** '' leaves it alone, 'none' clears it, else an id. */
function idOrNone() {
  return unchanged(z.preprocess((value) => (value === 'none' ? null : value), id().nullable()));
}

/** '' leaves it alone, 'none' is nobody, 'me' is whoever sends the macro, else a staff member's id. */
function macroAssignee() {
  const schema = z.string({ error: 'errors.choice' })
    .refine((value) => value === '' || value === 'none' || value === 'me' || positiveInt(value) !== null, { error: 'errors.choice' })
    .transform((value): MacroActions['assignee'] | undefined => (value === '' ? undefined : value === 'none' ? null : value === 'me' ? 'sender' : positiveInt(value)!));
  return withBlank(z.preprocess((value) => (value === undefined ? '' : value), schema), undefined);
}

/** A macro's actions, the same fields in the editor and (prefixed `macro_`) in the compose box. */
const actionShape = {
  status: unchanged(id()),
  priority: unchanged(choice(PRIORITIES)),
  type: unchanged(id()),
  group: idOrNone(),
  assignee: macroAssignee(),
  addTags: tagList(),
  removeTags: tagList(),
};
const actionsSchema = z.object(actionShape);

function toActions(value: z.output<typeof actionsSchema>): MacroActions {
  const actions: MacroActions = {};
  if (value.status !== undefined) actions.statusId = value.status;
  if (value.priority !== undefined) actions.priority = value.priority;
  if (value.type !== undefined) actions.typeId = value.type;
  if (value.group !== undefined) actions.groupId = value.group;
  if (value.assignee !== undefined) actions.assignee = value.assignee;
  if (value.addTags.length > 0) actions.addTags = value.addTags;
  if (value.removeTags.length > 0) actions.removeTags = value.removeTags;
  return actions;
}

/** A macro's actions as the form's fields (the editor's, and the compose box's hidden `macro_*` ones). */
export function actionFields(actions: MacroActions): Record<string, string> {
  const idOrNoneField = (value: number | null | undefined) => (value === undefined ? '' : value === null ? 'none' : String(value));
  return {
    status: actions.statusId ? String(actions.statusId) : '',
    priority: actions.priority ?? '',
    type: actions.typeId ? String(actions.typeId) : '',
    group: idOrNoneField(actions.groupId),
    assignee: actions.assignee === 'sender' ? 'me' : idOrNoneField(actions.assignee),
    addTags: (actions.addTags ?? []).join(' '),
    removeTags: (actions.removeTags ?? []).join(' '),
  };
}

/** The macro editor: name, text, kind, sharing (the verb checks who may share) and the actions. */
export const macroSchema = z.object({
  name: text({ max: 120 }),
  body: longText({ max: MACRO_BODY_MAX }),
  kind: choice(MACRO_KINDS),
  shared: flag(['1', 'on']),
  groupId: unchanged(id()),
  ...actionShape,
});

/** The editor's typed values and its format mistakes; placeholders and choices are checked by the verb. */
export function readMacroForm(body: unknown): { value: MacroInput; errors: FieldErrors } {
  const { value, errors } = readForm(macroSchema, body);
  return {
    value: { name: value.name, body: value.body, kind: value.kind, shared: value.shared, groupId: value.groupId ?? null, actions: toActions(value) },
    errors,
  };
}

/** The compose box's "Apply": which macro (the select), or a search of the picker. */
export const applySchema = z.object({ macroChoice: id({ error: 'macros.errors.choose' }) });

/**
 * The compose box's pending macro, sent with the message: `macroId` and its actions as hidden fields
 * `macro_<field>`. None (null) without a macro id; a tampered field refuses the message.
 */
export function readPendingMacro(fields: Record<string, unknown>): { macroId: number; actions: MacroActions } | null {
  const macroId = positiveInt(asString(fields.macroId));
  if (macroId === null) return null;
  const raw = Object.fromEntries(Object.keys(actionShape).map((key) => [key, fields[`macro_${key}`]]));
  const { value, errors } = readForm(actionsSchema, raw);
  if (Object.keys(errors).length > 0) throw new Invalid({ macro: 'macros.errors.actionGone' }, 'macros.errors.actionGone');
  return { macroId, actions: toActions(value) };
}

/** The hidden fields that carry a pending macro (for the form's values). */
export const PENDING_FIELDS = ['macroId', ...Object.keys(actionShape).map((key) => `macro_${key}`)];

/** The ids of ticked boxes sharing one name (a repeated field: a list, one string, or nothing). */
export function idList(value: unknown): number[] {
  const list: unknown[] = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return [...new Set(list.map((v) => positiveInt(asString(v))).filter((n): n is number => n !== null))];
}

/**
 * The macro form's files: the uploads of this try, those kept from a refused try (`keep`, ticked), the
 * macro's files to remove (`removeFile`, ticked), and on a duplicate the files to copy from the macro
 * it copies (`copyFrom`, `copyFile` ticked).
 */
export function readMacroFiles(lists: Record<string, string[]>, uploadIds: readonly number[]): MacroFileChanges {
  const fromId = idList(lists.copyFrom)[0];
  return {
    uploadIds: [...new Set([...idList(lists.keep), ...uploadIds])], removeIds: idList(lists.removeFile),
    ...(fromId === undefined ? {} : { copy: { fromId, ids: idList(lists.copyFile) } }),
  };
}

/** The compose box's ticked macro files (`macroFile`): only these of the applied macro are sent. */
export const readChosenMacroFiles = (value: unknown): number[] => idList(value);
