import * as z from 'zod';
import type { Priority, StatusCategory } from '../db/schema.js';
import type { FieldErrors } from '../lib/errors.js';
import { choice, flag, id, list, longText, optionalEmail, readForm, text, unchanged, withBlank } from '../lib/form.js';
import { positiveInt } from '../lib/validate.js';
import { tagList } from '../macros/schemas.js';
import { PRIORITIES } from '../tickets/tickets.js';
import { MAIL_TARGETS, type RuleActions } from './actions.js';
import { CATEGORIES, RULE_EVENTS, VIAS, TIME_CONDITIONS, type FieldCondition, type RuleConditions, type RuleEvent } from './conditions.js';
import type { Rule } from './schema.js';

// The trigger and automation form: one field per condition and per action, so it works as a plain
// form. Ids are checked against the database by the verb (admin.ts).

const ids = () => withBlank(list().transform((values) => values.map(Number).filter((n) => Number.isSafeInteger(n) && n > 0)), []);
const among = <T extends string>(allowed: readonly T[]) =>
  withBlank(list().transform((values) => values.filter((v): v is T => (allowed as readonly string[]).includes(v))), [] as T[]);

/** Hours for a time condition: empty is none, else a whole number from 1 to ten years. */
const hours = () => withBlank(z.preprocess((v) => (typeof v === 'string' ? v.trim() : ''), z.string()
  .refine((v) => v === '' || (/^\d{1,6}$/.test(v) && Number(v) >= 1 && Number(v) <= 87_600), { error: 'rules.errors.hours' })
  .transform((v) => (v === '' ? null : Number(v)))), null);

/** '' leaves it alone, 'none' clears it, else an id. */
const idOrNone = () => unchanged(z.preprocess((value) => (value === 'none' ? null : value), id().nullable()));

/** '' leaves it alone, 'none' is nobody, 'round_robin' the group's next member in turn, else a staff member's id. */
const ruleAssignee = () => withBlank(z.preprocess((value) => (value === undefined ? '' : value), z.string({ error: 'errors.choice' })
  .refine((value) => value === '' || value === 'none' || value === 'round_robin' || positiveInt(value) !== null, { error: 'errors.choice' })
  .transform((value): RuleActions['assignee'] | undefined => (value === '' ? undefined : value === 'none' ? null : value === 'round_robin' ? 'round_robin' : positiveInt(value)!))), undefined);

export const ruleSchema = z.object({
  name: text({ max: 120 }),
  enabled: flag(),
  events: among(RULE_EVENTS),
  // Conditions
  statusIds: ids(), categories: among(CATEGORIES), priorities: among(PRIORITIES), typeIds: ids(), groupIds: ids(), organizationIds: ids(), brandIds: ids(),
  assigned: choice(['', 'yes', 'no'], { blank: '' }),
  hasTags: tagList(), lacksTags: tagList(),
  businessHours: choice(['', 'in', 'out'], { blank: '' }),
  statusChangedTo: ids(), priorityChanged: flag(), via: among(VIAS),
  contains: text({ required: false, max: 200 }),
  idleHours: hours(), solvedHours: hours(), unassignedHours: hours(), remindedHours: hours(),
  // Actions
  status: unchanged(id()), priority: unchanged(choice(PRIORITIES)), type: unchanged(id()), group: idOrNone(), assignee: ruleAssignee(),
  addTags: tagList(), removeTags: tagList(),
  note: longText({ required: false, max: 20_000 }),
  mailTo: choice(['', ...MAIL_TARGETS], { blank: '' }),
  mailAddress: optionalEmail(),
  mailSubject: text({ required: false, max: 200 }),
  mailBody: longText({ required: false, max: 20_000 }),
});

export interface RuleInput {
  name: string;
  enabled: boolean;
  events: RuleEvent[];
  conditions: RuleConditions;
  actions: RuleActions;
}

/** How many "custom field is / is not" rows a form may send (`fieldKey_0`, `fieldOp_0`, `fieldValue_0`, ...). */
export const MAX_FIELD_CONDITIONS = 20;

/**
 * The form's custom field rows: a row without a field is blank; a field needs a value. Rows keep
 * their form index (`at`), so the verb's mistakes land on the right row.
 */
function readFieldRows(body: unknown, errors: FieldErrors): (FieldCondition & { at: number })[] {
  const raw = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const one = (name: string) => (typeof raw[name] === 'string' ? (raw[name] as string).trim() : '');
  const rows: (FieldCondition & { at: number })[] = [];
  for (let at = 0; at < MAX_FIELD_CONDITIONS; at++) {
    const key = one(`fieldKey_${at}`);
    if (!key) continue;
    const value = one(`fieldValue_${at}`).slice(0, 200);
    if (!value) errors[`fieldValue_${at}`] ??= 'errors.required';
    rows.push({ at, key, op: one(`fieldOp_${at}`) === 'not' ? 'not' : 'is', value });
  }
  return rows;
}

/** The form's typed values and its format mistakes (the verb adds what needs the database). */
export function readRuleForm(body: unknown): { value: RuleInput; errors: FieldErrors } {
  const { value: v, errors } = readForm(ruleSchema, body);
  const conditions: RuleConditions = {};
  const put = <K extends keyof RuleConditions>(key: K, value: RuleConditions[K] | null | '' | false | readonly unknown[]) => {
    if (value === null || value === '' || value === false || (Array.isArray(value) && value.length === 0)) return;
    conditions[key] = value as RuleConditions[K];
  };
  put('statusIds', v.statusIds); put('categories', v.categories as StatusCategory[]); put('priorities', v.priorities as Priority[]);
  put('typeIds', v.typeIds); put('groupIds', v.groupIds); put('organizationIds', v.organizationIds); put('brandIds', v.brandIds);
  put('fields', readFieldRows(body, errors));
  put('assigned', v.assigned === '' ? null : v.assigned); put('hasTags', v.hasTags); put('lacksTags', v.lacksTags);
  put('businessHours', v.businessHours === '' ? null : v.businessHours);
  put('statusChangedTo', v.statusChangedTo); put('priorityChanged', v.priorityChanged); put('via', v.via); put('contains', v.contains);
  for (const key of TIME_CONDITIONS) put(key, v[key]);
  const actions: RuleActions = {};
  if (v.status !== undefined) actions.statusId = v.status;
  if (v.priority !== undefined) actions.priority = v.priority;
  if (v.type !== undefined) actions.typeId = v.type;
  if (v.group !== undefined) actions.groupId = v.group;
  if (v.assignee !== undefined) actions.assignee = v.assignee;
  if (v.addTags.length > 0) actions.addTags = v.addTags;
  if (v.removeTags.length > 0) actions.removeTags = v.removeTags;
  if (v.note) actions.note = v.note;
  if (v.mailTo) {
    if (v.mailTo === 'address' && !v.mailAddress) errors.mailAddress ??= 'errors.required';
    if (!v.mailSubject) errors.mailSubject ??= 'errors.required';
    if (!v.mailBody) errors.mailBody ??= 'errors.required';
    actions.mail = { to: v.mailTo, ...(v.mailTo === 'address' && v.mailAddress ? { address: v.mailAddress } : {}), subject: v.mailSubject, body: v.mailBody };
  }
  return { value: { name: v.name, enabled: v.enabled, events: v.events as RuleEvent[], conditions, actions }, errors };
}

type Form = Record<string, string | string[]>;

/** A saved rule as the form's fields. */
export function ruleFields(rule: Pick<Rule, 'name' | 'enabled' | 'events' | 'conditions' | 'actions'>, conditions: RuleConditions, actions: RuleActions): Form {
  const strings = (values: readonly (string | number)[] | undefined) => (values ?? []).map(String);
  const time = (value: RuleConditions['idleHours']) => (typeof value === 'number' ? String(value) : '');
  const idOrNoneField = (value: number | null | undefined) => (value === undefined ? '' : value === null ? 'none' : String(value));
  return {
    name: rule.name, enabled: rule.enabled === 1 ? '1' : '', events: JSON.parse(rule.events) as string[],
    statusIds: strings(conditions.statusIds), categories: strings(conditions.categories), priorities: strings(conditions.priorities),
    typeIds: strings(conditions.typeIds), groupIds: strings(conditions.groupIds), organizationIds: strings(conditions.organizationIds),
    brandIds: strings(conditions.brandIds),
    ...Object.fromEntries((conditions.fields ?? []).flatMap((f, at) => [[`fieldKey_${at}`, f.key], [`fieldOp_${at}`, f.op], [`fieldValue_${at}`, f.value]])),
    assigned: conditions.assigned ?? '', hasTags: (conditions.hasTags ?? []).join(' '), lacksTags: (conditions.lacksTags ?? []).join(' '),
    businessHours: conditions.businessHours ?? '', statusChangedTo: strings(conditions.statusChangedTo),
    priorityChanged: conditions.priorityChanged ? '1' : '', via: strings(conditions.via), contains: conditions.contains ?? '',
    idleHours: time(conditions.idleHours), solvedHours: time(conditions.solvedHours), unassignedHours: time(conditions.unassignedHours),
    remindedHours: time(conditions.remindedHours),
    status: actions.statusId ? String(actions.statusId) : '', priority: actions.priority ?? '', type: actions.typeId ? String(actions.typeId) : '',
    group: idOrNoneField(actions.groupId), assignee: actions.assignee === 'round_robin' ? 'round_robin' : idOrNoneField(actions.assignee),
    addTags: (actions.addTags ?? []).join(' '), removeTags: (actions.removeTags ?? []).join(' '), note: actions.note ?? '',
    mailTo: actions.mail?.to ?? '', mailAddress: actions.mail?.address ?? '', mailSubject: actions.mail?.subject ?? '', mailBody: actions.mail?.body ?? '',
  };
}

/** Up or down the list. */
export const moveSchema = z.object({ direction: choice(['up', 'down']) });
