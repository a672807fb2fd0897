import { recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import { Invalid, NotFound } from '../lib/errors.js';
import { randomToken, sha256 } from '../lib/crypto.js';
import { nowIso } from '../lib/time.js';
import { can } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { toActor } from '../users/actor.js';
import type { NewTokenInput } from './schemas.js';
import type { TokenScope } from './schema.js';

/** Every token starts so: secret scanners and people recognise it. */
export const TOKEN_PREFIX = 'dsk_';
/** How stale a stored "last used" time may be before a request rewrites it (no write per request). */
export const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Make a token for `owner`. Only its hash is stored; the token is returned once, to be shown once.
 * `actor` is who made it (the owner on the profile page; null from the command line).
 */
export async function createApiToken(db: Db, actor: Actor | null, ownerId: number, input: NewTokenInput): Promise<{ id: number; token: string }> {
  const expiresAt = input.expiresOn ? endOfDay(input.expiresOn) : null;
  if (input.expiresOn && (expiresAt === null || expiresAt <= nowIso())) throw new Invalid({ expiresOn: 'api.tokens.errors.expiry' });
  const token = `${TOKEN_PREFIX}${randomToken()}`;
  return db.transaction().execute(async (trx) => {
    const row = await trx.insertInto('api_tokens').values({
      user_id: ownerId, name: input.name, token_hash: sha256(token), prefix: token.slice(TOKEN_PREFIX.length, TOKEN_PREFIX.length + 6),
      scope: input.scope, expires_at: expiresAt, last_used_at: null, created_at: nowIso(),
    }).returning('id').executeTakeFirstOrThrow();
    await recordAudit(trx, actor, { action: 'api_token.created', subjectType: 'user', subjectId: ownerId, details: { token: row.id, name: input.name, scope: input.scope } });
    return { id: row.id, token };
  });
}

/** The last moment of a day (UTC), or null for a day that does not exist. */
function endOfDay(day: string): string | null {
  const at = new Date(`${day}T23:59:59.999Z`);
  return Number.isNaN(at.getTime()) || at.toISOString().slice(0, 10) !== day ? null : at.toISOString();
}

export interface TokenUse {
  id: number;
  scope: TokenScope;
  actor: Actor;
}

/**
 * Who a bearer token speaks for: its owner (active, not disabled), with the token's scope; null for a
 * token that is unknown, expired or revoked. The last-used time is kept to the minute.
 */
export async function authenticateToken(db: Db, token: string): Promise<TokenUse | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) return null;
  const row = await db.selectFrom('api_tokens').innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['api_tokens.id as token_id', 'api_tokens.scope', 'api_tokens.expires_at', 'api_tokens.last_used_at'])
    .selectAll('users')
    .where('api_tokens.token_hash', '=', sha256(token)).executeTakeFirst();
  if (!row) return null;
  const now = nowIso();
  if (row.expires_at !== null && row.expires_at <= now) return null;
  if (row.state !== 'active') return null;
  const stale = new Date(Date.now() - LAST_USED_RESOLUTION_MS).toISOString();
  if (row.last_used_at === null || row.last_used_at < stale) {
    await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.token_id).execute();
  }
  return { id: row.token_id, scope: row.scope, actor: toActor(row) };
}

/** One's own tokens, newest first (never the hash). */
export function listOwnTokens(db: Db, userId: number) {
  return db.selectFrom('api_tokens').select(['id', 'name', 'prefix', 'scope', 'expires_at', 'last_used_at', 'created_at'])
    .where('user_id', '=', userId).orderBy('id', 'desc').execute();
}

/** Every token of the desk with its owner, for admins. */
export function listAllTokens(db: Db) {
  return db.selectFrom('api_tokens').innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['api_tokens.id', 'api_tokens.name', 'api_tokens.prefix', 'api_tokens.scope', 'api_tokens.expires_at', 'api_tokens.last_used_at',
      'api_tokens.created_at', 'users.name as owner_name', 'users.email as owner_email'])
    .orderBy('api_tokens.id', 'desc').execute();
}

/**
 * Revoke a token: its owner may revoke their own, an admin any (`api.tokens.manage`). Someone else's
 * token is NotFound, as one that does not exist. The token stops working at once (the row goes).
 */
export async function revokeApiToken(db: Db, actor: Actor, tokenId: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const token = await trx.selectFrom('api_tokens').select(['id', 'user_id', 'name']).where('id', '=', tokenId).executeTakeFirst();
    if (!token || (token.user_id !== actor.id && !can(actor, 'api.tokens.manage'))) throw new NotFound();
    await trx.deleteFrom('api_tokens').where('id', '=', token.id).execute();
    await recordAudit(trx, actor, { action: 'api_token.revoked', subjectType: 'user', subjectId: token.user_id, details: { token: token.id, name: token.name } });
  });
}
