import { recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import type { Status } from '../db/schema.js';
import { Invalid, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import type { Actor } from '../users/actor.js';
import { closestStatus, findPreset, type Preset } from './presets.js';
import {
  insertWorkflow, listStatuses, moveTickets, readStatusSettings, repointTypes, retireStatus,
  STATUS_SETTINGS, ticketCounts, writeStatusSetting,
} from './queries.js';
import type { PresetMapping } from './schemas.js';
import { requireAdmin } from './statuses.js';

function presetOrNotFound(key: string): Preset {
  const preset = findPreset(key);
  if (!preset) throw new NotFound();
  return preset;
}

/** The index, in the preset, of the status each current status's tickets go to unless the admin says otherwise. */
function suggestedTarget(preset: Preset, from: Status): number {
  const target = closestStatus(from, preset.statuses);
  return target ? preset.statuses.indexOf(target) : 0;
}

/** The mapping page: every current status that has tickets, with a suggested status of the preset. */
export async function presetPlan(db: Db, actor: Actor, key: string) {
  requireAdmin(actor);
  const preset = presetOrNotFound(key);
  const statuses = await listStatuses(db);
  const counts = await ticketCounts(db, statuses.map((s) => s.id));
  const current = statuses.map((s) => ({ status: s, tickets: counts.get(s.id) ?? 0, suggested: suggestedTarget(preset, s) }));
  return { preset, inUse: current.filter((c) => c.tickets > 0), unused: current.filter((c) => c.tickets === 0) };
}

/**
 * Replace the workflow with a preset in one transaction: the preset's statuses are created, every
 * ticket of every current status moves (one event per ticket, two statements per current status),
 * ticket types and the status settings follow, and the old statuses are retired. Statuses the form
 * did not map (a ticket arrived after the page was shown) take the suggested target, so no ticket is
 * ever left in a retired status.
 */
export async function applyPreset(db: Db, actor: Actor, key: string, mapping: PresetMapping): Promise<{ moved: number }> {
  requireAdmin(actor);
  const preset = presetOrNotFound(key);
  return db.transaction().execute(async (trx) => {
    const old = await listStatuses(trx);
    const targets = new Map<number, number>();
    const errors: Record<string, string> = {};
    for (const status of old) {
      const given = mapping.get(status.id);
      const index = given === undefined ? suggestedTarget(preset, status) : given;
      if (index === null || index >= preset.statuses.length) errors[`map_${status.id}`] = 'errors.choice';
      targets.set(status.id, index ?? 0);
    }
    if (Object.keys(errors).length > 0) throw new Invalid(errors);

    const now = nowIso();
    const settingsBefore = await readStatusSettings(trx);
    for (const status of old) await retireStatus(trx, status.id, now);
    const ids = await insertWorkflow(trx, preset.statuses);
    const created = preset.statuses.map((s, i) => ({ id: ids[i]!, name: s.name, category: s.category }));
    const moves: { from: string; to: string; tickets: number }[] = [];
    let moved = 0;
    for (const status of old) {
      const target = created[targets.get(status.id)!]!;
      const tickets = await moveTickets(trx, status, target, actor.id, now);
      await repointTypes(trx, status.id, target.id);
      if (tickets > 0) moves.push({ from: status.name, to: target.name, tickets });
      moved += tickets;
    }
    const idOf = (name: string | undefined) => created.find((s) => s.name === name)?.id ?? null;
    const settingsAfter = { assignment: idOf(preset.assignmentStatus), offerAccepted: idOf(preset.offerAcceptedStatus) };
    await writeStatusSetting(trx, STATUS_SETTINGS.assignment, settingsAfter.assignment);
    await writeStatusSetting(trx, STATUS_SETTINGS.offerAccepted, settingsAfter.offerAccepted);
    await recordAudit(trx, actor, {
      action: 'workflow.preset_applied', subjectType: 'workflow', subjectId: 0,
      before: { statuses: old.map((s) => `${s.name} (${s.category})`), settings: settingsRecord(settingsBefore) },
      after: { statuses: created.map((s) => `${s.name} (${s.category})`), settings: settingsRecord(settingsAfter) },
      details: { preset: preset.key, moves, tickets_moved: moved },
    });
    return { moved };
  });
}

function settingsRecord(values: { assignment: number | null; offerAccepted: number | null }) {
  return { [STATUS_SETTINGS.assignment]: values.assignment, [STATUS_SETTINGS.offerAccepted]: values.offerAccepted };
}
