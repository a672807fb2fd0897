import { recordAudit } from '../admin/audit.js';
import type { Db, Trx } from '../db/connect.js';
import { Conflict, Forbidden, Invalid, NotFound, type FieldErrors } from '../lib/errors.js';
import { messageWith } from '../lib/form.js';
import { nowIso } from '../lib/time.js';
import { fieldKeys, unknownPlaceholders } from '../macros/macros.js';
import { can, rolesOn } from '../policy/can.js';
import { checkManagedTags } from '../tags/tags.js';
import type { Actor } from '../users/actor.js';
import { TIME_CONDITIONS, type RuleConditions } from './conditions.js';
import { checkFieldConditions } from './field-conditions.js';
import type { Rule, RuleKind } from './schema.js';
import type { RuleInput } from './schemas.js';

// The admin's verbs for triggers and automations: save (checked against what exists), reorder, delete.

/** Conditions that only a trigger (the change) or only an automation (time) can ask. */
const TRIGGER_ONLY = ['statusChangedTo', 'priorityChanged', 'via', 'contains'] as const;

function forKind(kind: RuleKind, input: RuleInput): RuleInput {
  const conditions: RuleConditions = { ...input.conditions };
  for (const key of kind === 'trigger' ? TIME_CONDITIONS : TRIGGER_ONLY) delete conditions[key];
  return { ...input, events: kind === 'trigger' ? input.events : [], conditions };
}

async function exists(trx: Db, table: 'statuses' | 'ticket_types' | 'groups' | 'organizations' | 'brands', ids: readonly number[]): Promise<boolean> {
  if (ids.length === 0) return true;
  const found = await trx.selectFrom(table).select('id').where('id', 'in', [...ids]).execute();
  return found.length === new Set(ids).size;
}

/** Every mistake of the form at once: its own, then what needs the database. The input as it is stored. */
async function check(trx: Db, kind: RuleKind, input: RuleInput, formErrors: FieldErrors): Promise<RuleInput> {
  const errors: FieldErrors = { ...formErrors };
  const c = input.conditions;
  const a = input.actions;
  if (kind === 'trigger' && input.events.length === 0) errors.events ??= 'rules.errors.noEvent';
  if (kind === 'automation' && !TIME_CONDITIONS.some((key) => c[key] !== undefined)) errors.idleHours ??= 'rules.errors.noTime';
  if (!(await exists(trx, 'statuses', c.statusIds ?? []))) errors.statusIds ??= 'errors.choice';
  if (!(await exists(trx, 'statuses', c.statusChangedTo ?? []))) errors.statusChangedTo ??= 'errors.choice';
  if (!(await exists(trx, 'ticket_types', c.typeIds ?? []))) errors.typeIds ??= 'errors.choice';
  if (!(await exists(trx, 'groups', c.groupIds ?? []))) errors.groupIds ??= 'errors.choice';
  if (!(await exists(trx, 'organizations', c.organizationIds ?? []))) errors.organizationIds ??= 'errors.choice';
  if (!(await exists(trx, 'brands', c.brandIds ?? []))) errors.brandIds ??= 'errors.choice';
  const fields = await checkFieldConditions(trx, c.fields ?? [], errors);
  if (a.statusId !== undefined && !(await trx.selectFrom('statuses').select('id').where('id', '=', a.statusId).where('retired_at', 'is', null).executeTakeFirst())) {
    errors.status ??= 'errors.choice';
  }
  if (a.typeId !== undefined && !(await trx.selectFrom('ticket_types').select('id').where('id', '=', a.typeId).where('retired_at', 'is', null).executeTakeFirst())) {
    errors.type ??= 'errors.choice';
  }
  if (typeof a.groupId === 'number' && !(await exists(trx, 'groups', [a.groupId]))) errors.group ??= 'errors.choice';
  if (typeof a.assignee === 'number' && !(await trx.selectFrom('users').select('id').where('id', '=', a.assignee)
    .where('role', 'in', rolesOn('staff')).where('state', '=', 'active').executeTakeFirst())) {
    errors.assignee ??= 'errors.choice';
  }
  if (!errors.addTags && a.addTags?.length) {
    try {
      await checkManagedTags(trx, a.addTags, 'addTags');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      errors.addTags = messageWith('tags.errors.notManaged', error.params);
    }
  }
  const keys = await fieldKeys(trx);
  for (const [field, text] of [['note', a.note], ['mailSubject', a.mail?.subject], ['mailBody', a.mail?.body]] as const) {
    const unknown = text ? unknownPlaceholders(text, keys) : [];
    if (unknown.length > 0) errors[field] ??= messageWith('macros.errors.unknownPlaceholder', { name: `{{${unknown[0]!}}}` });
  }
  if (Object.keys(errors).length > 0) throw new Invalid(errors);
  return fields.length > 0 ? { ...input, conditions: { ...c, fields } } : input;
}

function columns(input: RuleInput) {
  return {
    name: input.name, enabled: input.enabled ? 1 : 0, events: JSON.stringify(input.events),
    conditions: JSON.stringify(input.conditions), actions: JSON.stringify(input.actions), updated_at: nowIso(),
  };
}

export async function findRule(db: Db, kind: RuleKind, id: number): Promise<Rule> {
  const rule = await db.selectFrom('rules').selectAll().where('id', '=', id).where('kind', '=', kind).executeTakeFirst();
  if (!rule) throw new NotFound();
  return rule;
}

export function listRules(db: Db, kind: RuleKind): Promise<Rule[]> {
  return db.selectFrom('rules').selectAll().where('kind', '=', kind).orderBy('position').orderBy('id').execute();
}

export async function createRule(db: Db, actor: Actor, kind: RuleKind, raw: RuleInput, formErrors: FieldErrors = {}): Promise<number> {
  if (!can(actor, 'rules.manage')) throw new Forbidden();
  return db.transaction().execute(async (trx) => {
    const input = await check(trx, kind, forKind(kind, raw), formErrors);
    const last = await trx.selectFrom('rules').select((eb) => eb.fn.max('position').as('p')).where('kind', '=', kind).executeTakeFirst();
    const now = nowIso();
    const { id } = await trx.insertInto('rules').values({ kind, ...columns(input), position: Number(last?.p ?? 0) + 10, builtin: null, created_at: now })
      .returning('id').executeTakeFirstOrThrow();
    await recordAudit(trx, actor, { action: `${kind}.created`, subjectType: kind, subjectId: id, after: { name: input.name } });
    return id;
  });
}

/** A default automation keeps its conditions and actions: its name and whether it runs may change. */
export async function updateRule(db: Db, actor: Actor, kind: RuleKind, id: number, raw: RuleInput, formErrors: FieldErrors = {}): Promise<void> {
  if (!can(actor, 'rules.manage')) throw new Forbidden();
  const input = forKind(kind, raw);
  await db.transaction().execute(async (trx) => {
    const rule = await findRule(trx, kind, id);
    if (rule.builtin) {
      if (formErrors.name) throw new Invalid({ name: formErrors.name });
      await trx.updateTable('rules').set({ name: input.name, enabled: input.enabled ? 1 : 0, updated_at: nowIso() }).where('id', '=', id).execute();
    } else {
      await trx.updateTable('rules').set(columns(await check(trx, kind, input, formErrors))).where('id', '=', id).execute();
    }
    await recordAudit(trx, actor, { action: `${kind}.changed`, subjectType: kind, subjectId: id, before: { name: rule.name, enabled: rule.enabled }, after: { name: input.name, enabled: input.enabled ? 1 : 0 } });
  });
}

export async function deleteRule(db: Db, actor: Actor, kind: RuleKind, id: number): Promise<void> {
  if (!can(actor, 'rules.manage')) throw new Forbidden();
  await db.transaction().execute(async (trx) => {
    const rule = await findRule(trx, kind, id);
    if (rule.builtin) throw new Conflict('rules.errors.builtin');
    await trx.deleteFrom('rules').where('id', '=', id).execute();
    await recordAudit(trx, actor, { action: `${kind}.deleted`, subjectType: kind, subjectId: id, before: { name: rule.name } });
  });
}

/** One place up or down: the positions are renumbered 10, 20, 30... in the new order. */
export async function moveRule(db: Db, actor: Actor, kind: RuleKind, id: number, direction: 'up' | 'down'): Promise<void> {
  if (!can(actor, 'rules.manage')) throw new Forbidden();
  await db.transaction().execute(async (trx: Trx) => {
    await findRule(trx, kind, id);
    const order = (await listRules(trx, kind)).map((r) => r.id);
    const at = order.indexOf(id);
    const to = direction === 'up' ? at - 1 : at + 1;
    if (to < 0 || to >= order.length) return;
    [order[at], order[to]] = [order[to]!, order[at]!];
    for (const [index, ruleId] of order.entries()) await trx.updateTable('rules').set({ position: (index + 1) * 10 }).where('id', '=', ruleId).execute();
  });
}
