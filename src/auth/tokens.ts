import type { Db } from '../db/connect.js';
import type { TokenKind } from '../db/schema.js';
import { NotFound } from '../lib/errors.js';
import { randomToken, sha256 } from '../lib/crypto.js';
import { isoIn, nowIso } from '../lib/time.js';

/** Issue a single-use token; only its hash is stored, the raw value goes into a link. */
export async function issueToken(db: Db, kind: TokenKind, userId: number | null, ttlMs: number): Promise<string> {
  const token = randomToken();
  await db.insertInto('user_tokens').values({
    user_id: userId,
    kind,
    token_hash: sha256(token),
    expires_at: isoIn(ttlMs),
    used_at: null,
    created_at: nowIso(),
  }).execute();
  return token;
}

/** A token that is of this kind, unused and unexpired; NotFound otherwise (one answer for every failure). */
export async function findUsableToken(db: Db, kind: TokenKind, token: unknown) {
  if (typeof token !== 'string' || token.length < 20 || token.length > 100) throw new NotFound('errors.linkInvalid');
  const row = await db.selectFrom('user_tokens').selectAll()
    .where('token_hash', '=', sha256(token))
    .where('kind', '=', kind)
    .where('used_at', 'is', null)
    .where('expires_at', '>', nowIso())
    .executeTakeFirst();
  if (!row) throw new NotFound('errors.linkInvalid');
  return row;
}

/** Mark a token used; the `used_at is null` guard makes a second concurrent use fail. */
export async function consumeToken(db: Db, id: number): Promise<void> {
  const result = await db.updateTable('user_tokens').set({ used_at: nowIso() })
    .where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new NotFound('errors.linkInvalid');
}
