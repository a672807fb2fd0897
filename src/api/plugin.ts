import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotFound, TooManyRequests } from '../lib/errors.js';
import { hasBearerToken, chooseLocale } from '../plugins/session.js';
import { definer, type RouteDoc } from './define.js';
import { openApiDocument } from './openapi.js';
import { sendProblem, Unauthorized } from './problem.js';
import { directoryRoutes } from './routes-directory.js';
import { messageRoutes } from './routes-messages.js';
import { ticketRoutes } from './routes-tickets.js';
import { webhookRoutes } from './routes-webhooks.js';
import { authenticateToken } from './tokens.js';
import { docsPage } from './docs.js';

/**
 * The JSON API under /api (issue 22): its own authentication (a bearer token, or the browser's
 * session), rate limit, errors (problem+json) and 404, and every route declared once (define.ts),
 * from which /api/openapi.json and the reference page /api/docs are made.
 *
 * CSRF: a request with a bearer token carries no cookie session (plugins/session.ts ignores the
 * cookies), so it needs no CSRF token; a browser never sends a bearer token on its own. A request
 * with the session cookie is what a browser sends by itself: its state changes need the CSRF token
 * (X-CSRF-Token) like every form, checked by the same hook (plugins/csrf.ts).
 */
export default async function apiRoutes(app: FastifyInstance) {
  await app.register(async (api) => {
    const { db, config, catalogue } = api;
    const registry: RouteDoc[] = [];

    api.addHook('onRequest', async (request) => {
      if (!hasBearerToken(request)) return;
      const use = await authenticateToken(db, String(request.headers.authorization).replace(/^bearer\s+/i, '').trim());
      if (!use) throw new Unauthorized('api.errors.badToken');
      request.actor = use.actor;
      request.apiToken = { id: use.id, scope: use.scope };
      request.t = catalogue.translator(chooseLocale(catalogue, use.actor.locale, request.headers['accept-language']));
    });

    // Per token (a session: per person; nobody: per address), in this process's memory.
    await api.register(rateLimit, {
      max: config.apiRateLimit.max,
      timeWindow: config.apiRateLimit.windowMs,
      keyGenerator: (request: FastifyRequest) => (request.apiToken ? `token:${request.apiToken.id}` : request.actor ? `user:${request.actor.id}` : `ip:${request.ip}`),
      errorResponseBuilder: (_request, context) => new TooManyRequests('errors.tooMany', Math.max(1, Math.ceil(context.ttl / 1000))),
    });

    api.setErrorHandler(sendProblem);
    api.setNotFoundHandler(async (request, reply) => sendProblem(new NotFound(), request, reply));

    const define = definer(api, registry);
    ticketRoutes(define, db);
    messageRoutes(define, db, config.uploadsDir);
    directoryRoutes(define, db);
    webhookRoutes(define, db);

    let document: Record<string, unknown> | undefined;
    const openApi = () => (document ??= openApiDocument(registry, config.baseUrl));
    define({
      method: 'GET', path: '/openapi.json', operationId: 'openApi', tag: 'Reference', access: 'public',
      summary: 'This document', description: 'The OpenAPI 3.1 description of every route under /api.',
      response: { status: 200, description: 'The OpenAPI document.', contentType: 'application/json' },
      handler: async () => openApi(),
    });
    define({
      method: 'GET', path: '/docs', operationId: 'docs', tag: 'Reference', access: 'public',
      summary: 'The reference page', description: 'This document as a page to read.',
      response: { status: 200, description: 'The API reference (HTML).', contentType: 'text/html' },
      handler: async ({ reply }) => docsPage(reply, openApi()),
    });
  }, { prefix: '/api' });
}
