import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../db/schema.js';
import { Forbidden } from '../lib/errors.js';

/** Only these roles may use the routes; visitors asking for a page are sent to log in first. */
export function requireRole(...roles: Role[]) {
  return async function guard(request: FastifyRequest, reply: FastifyReply) {
    if (!request.actor) {
      if (request.method === 'GET') return reply.seeOther(`/login?next=${encodeURIComponent(request.url)}`);
      throw new Forbidden('errors.loginRequired');
    }
    if (!roles.includes(request.actor.role)) throw new Forbidden();
  };
}

export const STAFF: Role[] = ['admin', 'supervisor', 'agent'];

/** A local path to go back to after login; anything else (another host, `//evil`, `/\evil`) is refused. */
export function safeNext(next: unknown): string | null {
  if (typeof next !== 'string' || next.length > 500) return null;
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || /[\r\n\t]/.test(next)) return null;
  return next;
}
