import type { FastifyReply, FastifyRequest } from 'fastify';
import { Forbidden } from '../lib/errors.js';
import { can, type RoleAction } from '../policy/can.js';

/** Only those who may do this use the routes; visitors asking for a page are sent to log in first. */
export function allow(action: RoleAction) {
  return async function guard(request: FastifyRequest, reply: FastifyReply) {
    if (!request.actor) {
      if (request.method === 'GET') return reply.seeOther(`/login?next=${encodeURIComponent(request.url)}`);
      throw new Forbidden('errors.loginRequired');
    }
    if (!can(request.actor, action)) throw new Forbidden();
  };
}

/**
 * A local path to go back to after login, safe to put in a Location header; null for anything else
 * (another host, `//evil`, `/\evil`). Control characters are refused outright: browsers drop tabs
 * and line breaks, so `/\t/evil` would become `//evil`. Whatever else a URL may not carry as it
 * stands (spaces, `。`, other non-ASCII) is percent-encoded, so the header is always valid.
 */
export function safeNext(next: unknown): string | null {
  if (typeof next !== 'string' || next.length > 500) return null;
  // With the u flag a surrogate matches only when it is unpaired (text no URL can carry).
  if (/[\u0000-\u001f\u007f\ud800-\udfff]/u.test(next)) return null;
  if (!next.startsWith('/') || next[1] === '/' || next[1] === '\\') return null;
  return next.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/?#%]/gu, (c) => encodeURIComponent(c));
}
