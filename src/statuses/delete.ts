import { recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import type { Status } from '../db/schema.js';
import { Conflict, Invalid, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import type { Actor } from '../users/actor.js';
import { closestStatus } from './presets.js';
import {
  findStatus, listStatuses, moveTickets, normaliseDefaults, readStatusSettings, repointTypes, retireStatus,
  STATUS_SETTINGS, ticketCounts, typesStartingIn, writeStatusSetting,
} from './queries.js';
import type { DeleteInput } from './schemas.js';
import { isLastOfRequiredCategory, requireAdmin, snapshot } from './statuses.js';

/**
 * Deleting a status retires it (statuses.retired_at) rather than removing the row: old history
 * events name it, and the portal shows them under its customer label. A retired status leaves every
 * form and list; nothing points at it any more, because its tickets, the types that started tickets
 * in it and the settings naming it all move to the status the admin chose.
 */
export async function deletionPlan(db: Db, actor: Actor, id: number) {
  requireAdmin(actor);
  const status = await findStatus(db, id);
  if (!status) throw new NotFound();
  const usage = await usageOf(db, status);
  const targets = (await listStatuses(db)).filter((s) => s.id !== id);
  const byDefault = [...targets].sort((a, b) => b.is_default_for_category - a.is_default_for_category || a.position - b.position);
  return {
    status, ...usage, targets,
    suggested: closestStatus({ name: '', category: status.category }, byDefault)?.id ?? null,
    lastOfCategory: await isLastOfRequiredCategory(db, status),
  };
}

async function usageOf(db: Db, status: Status) {
  const tickets = (await ticketCounts(db, [status.id])).get(status.id) ?? 0;
  const types = await typesStartingIn(db, status.id);
  const settings = await readStatusSettings(db);
  const settingKeys = (['assignment', 'offerAccepted'] as const).filter((k) => settings[k] === status.id);
  return { tickets, types, settingKeys, inUse: tickets > 0 || types.length > 0 || settingKeys.length > 0 };
}

/** Retire a status; anything using it moves to `moveTo` first, each ticket with a history event. */
export async function deleteStatus(db: Db, actor: Actor, id: number, { moveTo }: DeleteInput): Promise<{ moved: number }> {
  requireAdmin(actor);
  return db.transaction().execute(async (trx) => {
    const status = await findStatus(trx, id);
    if (!status) throw new NotFound();
    if (await isLastOfRequiredCategory(trx, status)) throw new Conflict('admin.statuses.errors.lastOfCategory');
    const usage = await usageOf(trx, status);
    let target: Status | undefined;
    if (usage.inUse) {
      target = moveTo === null || moveTo === id ? undefined : await findStatus(trx, moveTo);
      if (!target) throw new Invalid({ moveTo: 'admin.statuses.errors.moveTo' });
    }
    const now = nowIso();
    let moved = 0;
    if (target) {
      moved = await moveTickets(trx, status, target, actor.id, now);
      await repointTypes(trx, status.id, target.id);
      for (const key of usage.settingKeys) await writeStatusSetting(trx, STATUS_SETTINGS[key], target.id);
    }
    await retireStatus(trx, status.id, now);
    await normaliseDefaults(trx);
    await recordAudit(trx, actor, {
      action: 'status.deleted', subjectType: 'status', subjectId: status.id, before: snapshot(status),
      details: { moved_to: target?.name ?? null, tickets_moved: moved, types: usage.types, settings: usage.settingKeys.map((k) => STATUS_SETTINGS[k]) },
    });
    return { moved };
  });
}
