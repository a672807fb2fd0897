import { recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import { recordEvent } from '../events/record.js';
import { sha256 } from '../lib/crypto.js';
import { NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import type { Actor } from '../users/actor.js';

/**
 * Sessions you can see (issue 24, point 4): a person's signed-in browsers with what they are,
 * where from (the address) and when they were last used; each can be signed out, or all but this one.
 * Admins see and end any person's.
 */
export interface SessionRow {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  /** "Firefox on Linux", from the browser's User-Agent; null when it says nothing recognisable. */
  device: { browser: string; os: string } | null;
  current: boolean;
}

export async function listSessions(db: Db, userId: number, currentId: string | null = null): Promise<SessionRow[]> {
  const rows = await db.selectFrom('sessions').select(['id', 'created_at', 'last_seen_at', 'ip', 'user_agent'])
    .where('user_id', '=', userId).where('expires_at', '>', nowIso()).execute();
  return rows.map((row) => ({
    id: row.id, createdAt: row.created_at, lastSeenAt: row.last_seen_at ?? row.created_at, ip: row.ip,
    device: describeDevice(row.user_agent), current: row.id === currentId,
  })).sort((a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt.localeCompare(a.lastSeenAt));
}

const BROWSERS: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'], [/\b(?:OPR|Opera)\//, 'Opera'], [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/\bSamsungBrowser\//, 'Samsung Internet'], [/\bChrom(?:e|ium)\/|\bCriOS\//, 'Chrome'], [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
  [/\bcurl\//, 'curl'],
];
const SYSTEMS: [RegExp, string][] = [
  [/\bWindows\b/, 'Windows'], [/\bAndroid\b/, 'Android'], [/\biPhone\b|\biPod\b/, 'iOS'], [/\biPad\b/, 'iPadOS'],
  [/\bCrOS\b/, 'ChromeOS'], [/\bMac OS X\b|\bMacintosh\b/, 'macOS'], [/\bLinux\b|\bX11\b/, 'Linux'],
];

/** The browser and system a User-Agent names, roughly (enough to tell one's laptop from one's phone). */
export function describeDevice(userAgent: string | null): { browser: string; os: string } | null {
  if (!userAgent) return null;
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1];
  const os = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (!browser && !os) return null;
  return { browser: browser ?? '?', os: os ?? '?' };
}

/** Sign out one of one's own sessions (another person's, or an unknown one, is NotFound). */
export async function endOwnSession(db: Db, userId: number, id: string): Promise<void> {
  const result = await db.deleteFrom('sessions').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  if (Number(result.numDeletedRows) !== 1) throw new NotFound();
}

/** Every session of the person but this one ends; returns the ended ids. */
export async function endOtherSessions(db: Db, userId: number, keepId: string): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const ended = await trx.selectFrom('sessions').select('id').where('user_id', '=', userId).where('id', '!=', keepId).execute();
    await trx.deleteFrom('sessions').where('user_id', '=', userId).where('id', '!=', keepId).execute();
    return ended.map((row) => row.id);
  });
}

/** An admin signs a person out everywhere (a lost laptop, someone leaving): audited. Returns the ended session ids. */
export async function endSessionsOf(db: Db, actor: Actor, userId: number): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const person = await trx.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    if (!person) throw new NotFound();
    const ended = await trx.selectFrom('sessions').select('id').where('user_id', '=', userId).execute();
    await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
    await trx.deleteFrom('two_factor_devices').where('user_id', '=', userId).execute();
    await recordAudit(trx, actor, { action: 'user.sessionsEnded', subjectType: 'user', subjectId: userId, details: { sessions: ended.length } });
    return ended.map((row) => row.id);
  });
}

/**
 * A sign-in from this browser: the first time the person uses a browser (its browser and system, or
 * the exact User-Agent when it names neither) it is remembered, and, unless this is their very first
 * sign-in or they opted out, they are mailed about it (`account.newDevice`, composed in
 * src/notify/account.ts). Returns whether the browser was new.
 */
export async function noteDevice(db: Db, userId: number, userAgent: string | undefined, ip: string): Promise<boolean> {
  const device = describeDevice(userAgent ?? null);
  const fingerprint = device ? `${device.browser}/${device.os}` : `ua:${sha256(userAgent ?? '')}`;
  return db.transaction().execute(async (trx) => {
    const known = await trx.selectFrom('known_devices').select('fingerprint').where('user_id', '=', userId).execute();
    if (known.some((row) => row.fingerprint === fingerprint)) return false;
    await trx.insertInto('known_devices').values({ user_id: userId, fingerprint, first_seen_at: nowIso() }).execute();
    if (known.length === 0) return true;
    const person = await trx.selectFrom('users').select('new_device_mail').where('id', '=', userId).executeTakeFirst();
    if (person?.new_device_mail !== 1) return true;
    await recordEvent(trx, {
      kind: 'account.newDevice', ticketId: null, actorId: userId,
      payload: { userId, browser: device?.browser ?? '?', os: device?.os ?? '?', ip },
    });
    return true;
  });
}

/** The person's choice: a mail on sign-in from a new browser, or none. */
export async function setNewDeviceMail(db: Db, userId: number, on: boolean): Promise<void> {
  await db.updateTable('users').set({ new_device_mail: on ? 1 : 0, updated_at: nowIso() }).where('id', '=', userId).execute();
}

export async function newDeviceMailOn(db: Db, userId: number): Promise<boolean> {
  const row = await db.selectFrom('users').select('new_device_mail').where('id', '=', userId).executeTakeFirst();
  return row?.new_device_mail === 1;
}

