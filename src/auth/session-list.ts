import { recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
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
