import type { FastifyInstance } from 'fastify';
import { throttle, type Limit } from '../auth/throttle.js';
import { beginSession } from '../auth/routes-two-factor.js';
import { NotFound } from '../lib/errors.js';
import { safeNext } from '../plugins/guards.js';
import { cookieOptions } from '../plugins/session.js';
import { personId } from '../people/routes.js';
import { homeFor } from '../users/actor.js';
import { FLOW_COOKIE, FLOW_TTL, finishFlow, SsoRefused, startFlow } from './oidc.js';
import { findProvider, loginProviders } from './providers.js';

type Query = Record<string, string | undefined>;

/** Sign-ins started per address: a person clicks once or twice; a script filling the flows table is stopped. */
const START_LIMIT: Limit = { max: 30, windowMs: 15 * 60_000 };

/**
 * `/login/sso/:id` sends the browser to the provider; `/login/sso/:id/callback` is where it comes
 * back (a GET from the provider's redirect: the flow cookie, state, nonce and PKCE stand in for the
 * CSRF token, which the provider cannot carry).
 */
export default async function ssoRoutes(app: FastifyInstance) {
  const { db, config } = app;

  app.get<{ Params: { id: string }; Querystring: Query }>('/login/sso/:id', async (request, reply) => {
    const provider = await findProvider(db, personId(request.params));
    if (!provider || provider.enabled !== 1) throw new NotFound();
    await throttle(db, `sso-start:${request.ip}`, START_LIMIT);
    try {
      const { url, token } = await startFlow(db, provider, app.mail.baseUrl, safeNext(request.query.next));
      reply.setCookie(FLOW_COOKIE, token, cookieOptions(config, FLOW_TTL));
      return reply.redirect(url, 303);
    } catch (error) {
      // The provider could not be reached or described itself wrongly: say so, log why (no secret in it).
      request.log.warn({ provider: provider.id, reason: error instanceof Error ? error.message.slice(0, 300) : 'unknown' }, 'single sign-on: provider unavailable');
      return reply.seeOther('/login', 'sso.unavailable');
    }
  });

  app.get<{ Params: { id: string }; Querystring: Query }>('/login/sso/:id/callback', async (request, reply) => {
    const provider = await findProvider(db, personId(request.params));
    if (!provider || provider.enabled !== 1) throw new NotFound();
    reply.clearCookie(FLOW_COOKIE, { path: '/' });
    try {
      const currentUrl = new URL(request.url, app.mail.baseUrl);
      const { actor, next } = await finishFlow(db, provider, request.cookies[FLOW_COOKIE], currentUrl);
      // The provider vouched for the person, with its own second factor where it asks one.
      await beginSession(request, reply, actor.id);
      return reply.seeOther(safeNext(next) ?? homeFor(actor));
    } catch (error) {
      if (!(error instanceof SsoRefused)) throw error;
      request.log.info({ provider: provider.id, reason: error.reason }, 'single sign-on refused');
      return loginPage(request, reply, error.message, 403);
    }
  });

  async function loginPage(request: Parameters<typeof beginSession>[0], reply: Parameters<typeof beginSession>[1], message: string, status: number) {
    return reply.page('auth/login', { values: { next: '' }, errors: {}, message: request.t(message), providers: await loginProviders(db) }, { status });
  }
}
