import type { Db } from '../db/connect.js';
import { reusableFirst } from '../db/reusable.js';
import { randomToken, sha256 } from '../lib/crypto.js';
import { isoIn, nowIso } from '../lib/time.js';
import { toActor, type Actor } from '../users/actor.js';

export interface SessionInfo {
  /** The stored id (the hash of the cookie's token): names the session without revealing the token. */
  id: string;
  actor: Actor;
  csrfSecret: string;
}

/** A new session with a fresh random id; only the id's hash is stored. */
export async function startSession(
  db: Db, userId: number, ttlMs: number, meta: { ip?: string; userAgent?: string } = {},
): Promise<string> {
  const token = randomToken();
  await db.insertInto('sessions').values({
    id: sha256(token),
    user_id: userId,
    csrf_secret: randomToken(),
    created_at: nowIso(),
    expires_at: isoIn(ttlMs),
    ip: meta.ip ?? null,
    user_agent: meta.userAgent?.slice(0, 300) ?? null,
    last_seen_at: nowIso(),
  }).execute();
  await db.updateTable('users').set({ last_login_at: nowIso() }).where('id', '=', userId).execute();
  return token;
}

/** The actor behind a session cookie, or null when it is unknown, expired or its user is not active. */
export async function findSession(db: Db, token: string): Promise<SessionInfo & { lastSeenAt: string | null } | null> {
  return findSessionById(db, sha256(token));
}

/** The same by the stored id: a long-lived stream checks that its session still holds. */
export async function findSessionById(db: Db, id: string): Promise<SessionInfo & { expiresAt: string; lastSeenAt: string | null } | null> {
  const row = await liveSession(db, id, nowIso());
  if (!row) return null;
  return { id, actor: toActor(row), csrfSecret: row.csrf_secret, expiresAt: row.expires_at, lastSeenAt: row.last_seen_at };
}

/** Asked on every request: compiled once (db/reusable.ts). */
const liveSession = reusableFirst((db, id: string, now: string) => db.selectFrom('sessions')
  .innerJoin('users', 'users.id', 'sessions.user_id')
  .selectAll('users')
  .select(['sessions.csrf_secret', 'sessions.expires_at', 'sessions.last_seen_at'])
  .where('sessions.id', '=', id)
  .where('sessions.expires_at', '>', now)
  .where('users.state', '=', 'active'));

/** How stale "last seen" may get: a session in use is written at most this often. */
export const SEEN_EVERY_MS = 5 * 60_000;

/** The session is in use: its "last seen" moves on when it is older than SEEN_EVERY_MS. */
export async function touchSession(db: Db, id: string, lastSeenAt: string | null): Promise<void> {
  if (lastSeenAt !== null && Date.parse(lastSeenAt) > Date.now() - SEEN_EVERY_MS) return;
  await db.updateTable('sessions').set({ last_seen_at: nowIso() }).where('id', '=', id).execute();
}

export async function endSession(db: Db, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sha256(token)).execute();
}

/** Every session of the person ends, and every browser remembered for two-factor sign-in is forgotten. */
export async function endAllSessions(db: Db, userId: number): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  await db.deleteFrom('two_factor_devices').where('user_id', '=', userId).execute();
}

export async function deleteExpiredSessions(db: Db): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<=', nowIso()).executeTakeFirst();
  return Number(result.numDeletedRows);
}
