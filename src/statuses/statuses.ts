import { sql } from 'kysely';
import { changedFields, recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import type { Status } from '../db/schema.js';
import { Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { refuse, type Checked } from '../lib/form.js';
import { can } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { REQUIRED_CATEGORIES } from './presets.js';
import { findStatus, listStatuses, nextPosition, normaliseDefaults, readStatusSettings, STATUS_SETTINGS, writeStatusSetting } from './queries.js';
import type { StatusInput, StatusSettingsInput } from './schemas.js';

export function requireAdmin(actor: Actor): void {
  if (!can(actor, 'statuses.manage')) throw new Forbidden();
}

/** What the audit log keeps of a status. */
export function snapshot(s: Status) {
  return { name: s.name, customer_label: s.customer_label, category: s.category, position: s.position, is_default_for_category: s.is_default_for_category };
}

/** The one place that knows a workflow's invariant: new, open, solved and closed each keep a status. */
export async function isLastOfRequiredCategory(db: Db, status: Status): Promise<boolean> {
  if (!REQUIRED_CATEGORIES.includes(status.category)) return false;
  const other = await db.selectFrom('statuses').select('id').where('category', '=', status.category)
    .where('retired_at', 'is', null).where('id', '!=', status.id).limit(1).executeTakeFirst();
  return !other;
}

/** The form's values, once no other status of the workflow has the name (whatever its case). */
async function checkInput(db: Db, { value, errors }: Checked<StatusInput>, exceptId: number | null) {
  const { name, customerLabel, category } = value;
  if (name && !errors.name) {
    let taken = db.selectFrom('statuses').select('id').where('retired_at', 'is', null)
      .where(sql<string>`lower(name)`, '=', name.toLowerCase());
    if (exceptId !== null) taken = taken.where('id', '!=', exceptId);
    if (await taken.executeTakeFirst()) errors.name = 'admin.statuses.errors.nameTaken';
  }
  refuse(errors);
  return { name, customer_label: customerLabel, category };
}

/** A new status at the end of the workflow; the default of its category when it is the first of it. */
export async function createStatus(db: Db, actor: Actor, input: Checked<StatusInput>): Promise<number> {
  requireAdmin(actor);
  return db.transaction().execute(async (trx) => {
    const values = await checkInput(trx, input, null);
    const row = await trx.insertInto('statuses').values({
      ...values, position: await nextPosition(trx), is_default_for_category: 0, retired_at: null,
    }).returning('id').executeTakeFirstOrThrow();
    await normaliseDefaults(trx);
    const created = (await findStatus(trx, row.id))!;
    await recordAudit(trx, actor, { action: 'status.created', subjectType: 'status', subjectId: row.id, after: snapshot(created) });
    return row.id;
  });
}

/** Rename, relabel or recategorise. A status leaving its category hands its default mark on. */
export async function updateStatus(db: Db, actor: Actor, id: number, input: Checked<StatusInput>): Promise<void> {
  requireAdmin(actor);
  await db.transaction().execute(async (trx) => {
    const before = await findStatus(trx, id);
    if (!before) throw new NotFound();
    const values = await checkInput(trx, input, id);
    if (values.category !== before.category && await isLastOfRequiredCategory(trx, before)) {
      throw new Invalid({ category: 'admin.statuses.errors.lastOfCategory' });
    }
    const leaving = values.category !== before.category;
    await trx.updateTable('statuses').set({ ...values, ...(leaving ? { is_default_for_category: 0 } : {}) }).where('id', '=', id).execute();
    await normaliseDefaults(trx);
    const after = (await findStatus(trx, id))!;
    await recordAudit(trx, actor, { action: 'status.updated', subjectType: 'status', subjectId: id, ...changedFields(snapshot(before), snapshot(after)) });
  });
}

/** Move up or down one place; positions are renumbered so gaps and ties from older data disappear. */
export async function repositionStatus(db: Db, actor: Actor, id: number, direction: 'up' | 'down'): Promise<void> {
  requireAdmin(actor);
  await db.transaction().execute(async (trx) => {
    const statuses = await listStatuses(trx);
    const index = statuses.findIndex((s) => s.id === id);
    if (index < 0) throw new NotFound();
    const other = direction === 'up' ? index - 1 : index + 1;
    if (other < 0 || other >= statuses.length) return;
    [statuses[index], statuses[other]] = [statuses[other]!, statuses[index]!];
    for (const [position, s] of statuses.entries()) {
      if (s.position !== position) await trx.updateTable('statuses').set({ position }).where('id', '=', s.id).execute();
    }
    await recordAudit(trx, actor, {
      action: 'status.moved', subjectType: 'status', subjectId: id,
      before: { position: index }, after: { position: other }, details: { name: statuses[other]!.name },
    });
  });
}

/** The status new tickets of its category get (e.g. the one "solved" means when a customer marks it). */
export async function makeDefaultStatus(db: Db, actor: Actor, id: number): Promise<void> {
  requireAdmin(actor);
  await db.transaction().execute(async (trx) => {
    const status = await findStatus(trx, id);
    if (!status) throw new NotFound();
    if (status.is_default_for_category === 1) return;
    const previous = await trx.selectFrom('statuses').select('name').where('category', '=', status.category)
      .where('retired_at', 'is', null).where('is_default_for_category', '=', 1).executeTakeFirst();
    await trx.updateTable('statuses').set({ is_default_for_category: 0 }).where('category', '=', status.category).execute();
    await trx.updateTable('statuses').set({ is_default_for_category: 1 }).where('id', '=', id).execute();
    await recordAudit(trx, actor, {
      action: 'status.default_set', subjectType: 'status', subjectId: id,
      before: { default: previous?.name ?? null }, after: { default: status.name }, details: { category: status.category },
    });
  });
}

/** The assignment status and the accepted-offer status: a status of the workflow, or none. */
export async function saveStatusSettings(db: Db, actor: Actor, { value, errors }: Checked<StatusSettingsInput>): Promise<void> {
  requireAdmin(actor);
  await db.transaction().execute(async (trx) => {
    const active = new Set((await listStatuses(trx)).map((s) => s.id));
    const inWorkflow = (field: keyof StatusSettingsInput): number | null => {
      const id = value[field];
      if (id !== null && !active.has(id)) errors[field] ??= 'errors.choice';
      return errors[field] ? null : id;
    };
    const after = { assignment: inWorkflow('assignmentStatusId'), offerAccepted: inWorkflow('offerAcceptedStatusId') };
    refuse(errors);
    const before = await readStatusSettings(trx);
    if (before.assignment === after.assignment && before.offerAccepted === after.offerAccepted) return;
    await writeStatusSetting(trx, STATUS_SETTINGS.assignment, after.assignment);
    await writeStatusSetting(trx, STATUS_SETTINGS.offerAccepted, after.offerAccepted);
    await recordAudit(trx, actor, {
      action: 'settings.status_settings_changed', subjectType: 'settings', subjectId: 0,
      before: { [STATUS_SETTINGS.assignment]: before.assignment, [STATUS_SETTINGS.offerAccepted]: before.offerAccepted },
      after: { [STATUS_SETTINGS.assignment]: after.assignment, [STATUS_SETTINGS.offerAccepted]: after.offerAccepted },
    });
  });
}
