import { readdirSync } from 'node:fs';
import { assets } from '../assets.js';
import type { Db } from '../db/connect.js';
import { nowIso } from '../lib/time.js';
import { prefsFormValues } from '../notify/prefs.js';
import { can } from '../policy/can.js';
import type { Actor } from './actor.js';
import type { ProfileInput } from './schemas.js';

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

/** The profile form's values for a person as stored. */
export async function profileValues(db: Db, actor: Actor): Promise<Record<string, string>> {
  const user = await db.selectFrom('users').select(['name', 'email', 'locale', 'time_zone', 'notify_prefs', 'conversation_order'])
    .where('id', '=', actor.id).executeTakeFirstOrThrow();
  return {
    name: user.name, email: user.email, locale: user.locale, timeZone: user.time_zone ?? '', conversationOrder: user.conversation_order,
    ...prefsFormValues(user.notify_prefs),
  };
}

/** Name, language and time zone of the person acting (and staff's desk choices); nobody edits someone else's profile here. */
export async function updateProfile(db: Db, actor: Actor, { name, locale, timeZone, notifications, conversationOrder }: ProfileInput): Promise<void> {
  const notifyPrefs = can(actor, 'profile.notifications') && notifications ? JSON.stringify(notifications) : undefined;
  const order = can(actor, 'desk.use') && conversationOrder ? conversationOrder : undefined;
  await db.updateTable('users').set({
    name, locale, time_zone: timeZone, updated_at: nowIso(),
    ...(notifyPrefs ? { notify_prefs: notifyPrefs } : {}), ...(order ? { conversation_order: order } : {}),
  }).where('id', '=', actor.id).execute();
}

/**
 * The zone the person's browser reported (zone.js), kept only while they have chosen none: a zone
 * picked on "My Page" is never overwritten. Returns whether it was stored.
 */
export async function rememberBrowserZone(db: Db, actor: Actor, zone: string): Promise<boolean> {
  const result = await db.updateTable('users').set({ time_zone: zone })
    .where('id', '=', actor.id).where('time_zone', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
