import { recordAudit } from '../admin/audit.js';
import type { Config } from '../config.js';
import type { Db } from '../db/connect.js';
import { Forbidden, type FieldErrors } from '../lib/errors.js';
import { refuse, type Checked } from '../lib/form.js';
import { can } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { fieldName, fixedByEnv, SETTINGS, toForm, type SettingDef } from './registry.js';
import type { SettingsInput } from './schemas.js';
import { allSettings, putSetting } from './settings.js';

export interface SettingRow {
  def: SettingDef;
  name: string;
  /** What the form shows: the submitted value after a mistake, else the current one. */
  value: string;
  /** Fixed by an environment variable: shown read-only, never saved. */
  fromEnv: string | null;
}

/** The settings page's rows: the stored value or the default, or the environment's when it wins. */
export async function settingsForm(db: Db, config: Config, submitted?: Record<string, unknown>): Promise<SettingRow[]> {
  const stored = await allSettings(db);
  return SETTINGS.map((def) => {
    const name = fieldName(def);
    const fromEnv = fixedByEnv(def, config) ? def.env!.name : null;
    const current = fromEnv ? def.env!.value(config) : toForm(def, stored.get(def.key) ?? def.default);
    const typed = submitted && !fromEnv ? submitted[name] : undefined;
    const value = submitted && !fromEnv
      ? (def.kind === 'bool' ? (typed === '1' ? '1' : '0') : typeof typed === 'string' ? typed : '')
      : current;
    return { def, name, value, fromEnv };
  });
}

/**
 * An admin saves the settings page: every value is checked first (422 with all mistakes, nothing
 * saved); then each changed one is written with its audit entry, in one transaction. Settings the
 * environment fixes are skipped whatever the form says (the schema leaves them out). Returns the
 * keys that changed.
 */
export async function saveSettings(db: Db, actor: Actor, config: Config, { value, errors: found }: Checked<SettingsInput>): Promise<string[]> {
  if (!can(actor, 'settings.manage')) throw new Forbidden();
  const errors: FieldErrors = {};
  const next = new Map<string, string>();
  for (const def of SETTINGS) {
    if (fixedByEnv(def, config)) continue;
    const name = fieldName(def);
    const typed = value[name] ?? '';
    if (found[name]) errors[name] = found[name];
    else if (def.kind === 'select' && !(await def.options!(db)).some((o) => o.value === typed)) errors[name] = 'errors.choice';
    else next.set(def.key, typed);
  }
  refuse(errors);
  return db.transaction().execute(async (trx) => {
    const stored = await allSettings(trx);
    const changed: string[] = [];
    for (const [key, value] of next) {
      const def = SETTINGS.find((d) => d.key === key)!;
      const before = stored.get(key) ?? def.default;
      if (before === value) continue;
      await putSetting(trx, key, value);
      await recordAudit(trx, actor, { action: 'setting.changed', subjectType: 'setting', subjectId: 0, details: { key }, before, after: value });
      changed.push(key);
    }
    return changed;
  });
}
