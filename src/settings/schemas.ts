import * as z from 'zod';
import type { Config } from '../config.js';
import { messageWith, withBlank } from '../lib/form.js';
import { fieldName, fixedByEnv, SETTINGS, type SettingDef } from './registry.js';

/**
 * The settings page, read into typed input (src/lib/form.ts): for every setting the environment
 * does not fix, the value to store. Whether a select's value is one of its choices (some come from
 * the database) the verb checks.
 */

/** A submitted value, checked by its setting's kind: the value to store, or an error key. */
function readSetting(def: SettingDef, text: string): { value: string } | { error: string } {
  switch (def.kind) {
    // A checked box sends '1', an unchecked one nothing at all.
    case 'bool':
      return { value: (text === '1') !== Boolean(def.inverted) ? '1' : '0' };
    case 'number':
    case 'days': {
      if (text === '' && def.kind === 'days') return { value: '0' };
      const n = Number(text);
      const ok = text !== '' && Number.isFinite(n) && n >= (def.min ?? 0) && n <= (def.max ?? Number.MAX_SAFE_INTEGER)
        && (def.scale ? true : Number.isInteger(n));
      if (!ok) return { error: messageWith('admin.settings.errors.range', { min: def.min ?? 0, max: def.max ?? Number.MAX_SAFE_INTEGER }) };
      return { value: String(def.scale ? Math.round(n * def.scale) : n) };
    }
    case 'select':
      return { value: text };
    default: {
      if (text.length > (def.maxLength ?? 200)) return { error: 'errors.tooLong' };
      if (def.kind !== 'longtext' && /[\r\n]/.test(text)) return { error: 'errors.singleLine' };
      const problem = def.check?.(text.replace(/\/+$/, ''));
      return problem ? { error: problem } : { value: def.kind === 'url' ? text.replace(/\/+$/, '') : text };
    }
  }
}

function settingField(def: SettingDef) {
  const typed = (raw: unknown) => (typeof raw === 'string' ? raw.replace(/\r\n/g, '\n').trim() : '');
  return withBlank(z.preprocess(typed, z.string().transform((text, ctx) => {
    const read = readSetting(def, text);
    if ('value' in read) return read.value;
    ctx.addIssue({ code: 'custom', message: read.error });
    return '';
  })), '');
}

/** The page's fields (named by `fieldName`), those the environment fixes left out whatever the form says. */
export function settingsSchema(config: Config) {
  const fields = SETTINGS.filter((def) => !fixedByEnv(def, config)).map((def) => [fieldName(def), settingField(def)] as const);
  return z.object(Object.fromEntries(fields) as Record<string, ReturnType<typeof settingField>>);
}
/** The values to store, by field name. */
export type SettingsInput = Record<string, string>;
