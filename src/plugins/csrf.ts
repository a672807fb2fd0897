import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Forbidden } from '../lib/errors.js';
import { safeEqual } from '../lib/crypto.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Opt a route out of the CSRF check (only for routes that authenticate otherwise, e.g. signed links). */
    csrf?: false;
    /**
     * The handler reads a multipart body itself (readMultipartForm), which checks the token from the
     * header or the form's first part before it stores anything; this hook cannot see those fields.
     */
    multipartCsrf?: true;
  }
}

/**
 * Every state change carries the token: the `_csrf` form field, or the `X-CSRF-Token` header that
 * htmx sends. Runs as a preHandler because the form body is parsed only after onRequest.
 */
export default fp(async (app) => {
  app.addHook('preHandler', async (request) => {
    if (SAFE_METHODS.has(request.method) || request.routeOptions.config.csrf === false) return;
    // A bearer token is no ambient credential: a browser never adds it on its own (src/api/auth.ts).
    if (request.apiToken) return;
    if (request.routeOptions.config.multipartCsrf === true && request.isMultipart()) return;
    checkCsrf(request, (request.body as Record<string, unknown> | undefined)?._csrf);
  });
}, { name: 'csrf', dependencies: ['session'] });

/**
 * The one token check, also for multipart forms (readMultipartForm passes their first part): the
 * form's `_csrf` field when it is sent and not empty, else the `X-CSRF-Token` header.
 */
export function checkCsrf(request: FastifyRequest, formField: unknown): void {
  if (request.apiToken) return;
  const sent = typeof formField === 'string' && formField !== '' ? formField : request.headers['x-csrf-token'];
  if (typeof sent !== 'string' || !safeEqual(sent, request.csrfToken)) throw new Forbidden('errors.csrf');
}
