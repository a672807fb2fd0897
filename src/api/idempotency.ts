import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/connect.js';
import { Conflict, DomainError, Invalid, Malformed } from '../lib/errors.js';
import { DAY, nowIso } from '../lib/time.js';
import type { Actor } from '../users/actor.js';

/**
 * `Idempotency-Key` on a POST (the IETF draft's header): the first request with a key runs and its
 * answer is kept a day, per person and key; the same request again gets that answer replayed (with
 * `Idempotent-Replayed: true`) instead of a second ticket or message. The same key with another
 * request (method, path or body) is refused with 422; while the first still runs, 409. A request that
 * fails keeps nothing: it may be sent again with the same key.
 */

export const KEY_MAX = 255;
/** The headers an answer is replayed with. */
const KEPT_HEADERS = ['location', 'etag', 'content-type'];

export async function withIdempotency(request: FastifyRequest, reply: FastifyReply, actor: Actor, run: () => Promise<string | undefined>): Promise<string | undefined> {
  const { db } = request.server;
  const key = String(request.headers['idempotency-key']);
  if (key.length === 0 || key.length > KEY_MAX || !/^[\x21-\x7e]+$/.test(key)) throw new Malformed('api.errors.idempotencyKey');
  const fingerprint = fingerprintOf(request);
  const stored = await claim(db, actor.id, key, fingerprint);
  if (stored !== 'claimed') {
    if (stored.fingerprint !== fingerprint) throw new Invalid({ 'Idempotency-Key': 'api.errors.idempotencyReused' }, 'api.errors.idempotencyReused');
    if (stored.status === null) throw new Conflict('api.errors.idempotencyRunning');
    for (const [name, value] of Object.entries(JSON.parse(stored.headers ?? '{}') as Record<string, string>)) reply.header(name, value);
    reply.code(stored.status).header('Idempotent-Replayed', 'true');
    return stored.body ?? undefined;
  }
  let payload: string | undefined;
  try {
    payload = await run();
  } catch (error) {
    await release(db, actor.id, key);
    throw error;
  }
  if (reply.statusCode >= 400) {
    await release(db, actor.id, key);
    return payload;
  }
  const headers = Object.fromEntries(KEPT_HEADERS.flatMap((name) => {
    const value = reply.getHeader(name);
    return value === undefined ? [] : [[name, String(value)]];
  }));
  await db.updateTable('api_idempotency').set({ status: reply.statusCode, headers: JSON.stringify(headers), body: payload ?? null })
    .where('user_id', '=', actor.id).where('key', '=', key).execute();
  return payload;
}

function fingerprintOf(request: FastifyRequest): string {
  const body = request.isMultipart() ? `multipart:${request.headers['content-length'] ?? ''}` : JSON.stringify(request.body ?? null);
  return createHash('sha256').update(`${request.method} ${request.url.split('?')[0]}\n${body}`).digest('hex');
}

type Stored = { fingerprint: string; status: number | null; headers: string | null; body: string | null };

/** Take the key for this request, or find what it already holds. Keys older than a day are forgotten first. */
async function claim(db: Db, userId: number, key: string, fingerprint: string): Promise<'claimed' | Stored> {
  await db.deleteFrom('api_idempotency').where('created_at', '<', new Date(Date.now() - DAY).toISOString()).execute();
  const existing = await find(db, userId, key);
  if (existing) return existing;
  try {
    await db.insertInto('api_idempotency').values({ user_id: userId, key, fingerprint, status: null, headers: null, body: null, created_at: nowIso() }).execute();
    return 'claimed';
  } catch (error) {
    // Another request took the key a moment ago (the unique index): it runs, this one waits its turn.
    if (error instanceof DomainError) throw error;
    const other = await find(db, userId, key);
    if (!other) throw error;
    return other;
  }
}

function find(db: Db, userId: number, key: string): Promise<Stored | undefined> {
  return db.selectFrom('api_idempotency').select(['fingerprint', 'status', 'headers', 'body'])
    .where('user_id', '=', userId).where('key', '=', key).executeTakeFirst();
}

async function release(db: Db, userId: number, key: string): Promise<void> {
  await db.deleteFrom('api_idempotency').where('user_id', '=', userId).where('key', '=', key).where('status', 'is', null).execute();
}
