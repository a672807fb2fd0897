import { readdirSync } from 'node:fs';
import { assets } from '../assets.js';
import type { Db } from '../db/connect.js';
import { nowIso } from '../lib/time.js';
import { Checker } from '../lib/validate.js';
import { prefsFormValues, prefsFromForm } from '../notify/prefs.js';
import { isStaff, type Actor } from './actor.js';

let locales: string[] | null = null;

/** The languages the catalogue has: one locales/<code>.json each (only English so far). */
export function availableLocales(): string[] {
  locales ??= readdirSync(assets.locales).filter((f) => /^[a-z]{2}(-[A-Z]{2})?\.json$/.test(f)).map((f) => f.slice(0, -5)).sort();
  return locales;
}

let zones: string[] | null = null;

/** IANA time zones the runtime knows; UTC first, since Intl leaves it out of its list. */
export function availableTimeZones(): string[] {
  zones ??= ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
  return zones;
}

export interface ProfileInput {
  name?: unknown;
  locale?: unknown;
  timeZone?: unknown;
}

/** The profile form's values for a person as stored. */
export async function profileValues(db: Db, actor: Actor): Promise<Record<string, string>> {
  const user = await db.selectFrom('users').select(['name', 'email', 'locale', 'time_zone', 'notify_prefs'])
    .where('id', '=', actor.id).executeTakeFirstOrThrow();
  return { name: user.name, email: user.email, locale: user.locale, timeZone: user.time_zone ?? '', ...prefsFormValues(user.notify_prefs) };
}

/** Name, language and time zone of the person acting; nobody edits someone else's profile here. */
export async function updateProfile(db: Db, actor: Actor, input: ProfileInput): Promise<void> {
  const check = new Checker();
  const name = check.text('name', input.name, { max: 120 });
  const locale = check.oneOf('locale', input.locale, availableLocales());
  // An empty choice means "the desk's time zone" (stored as null).
  const timeZone = input.timeZone === '' ? null : check.oneOf('timeZone', input.timeZone, availableTimeZones());
  check.done();
  const notifyPrefs = isStaff(actor) ? prefsFromForm(input as Record<string, unknown>) : undefined;
  await db.updateTable('users').set({ name, locale, time_zone: timeZone, updated_at: nowIso(), ...(notifyPrefs ? { notify_prefs: notifyPrefs } : {}) })
    .where('id', '=', actor.id).execute();
}
