import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { findSession, touchSession } from '../auth/sessions.js';
import type { Config } from '../config.js';
import type { Catalogue } from '../i18n.js';
import { hmac, randomToken } from '../lib/crypto.js';

export const SESSION_COOKIE = 'deskbell_session';
const VISITOR_CSRF_COOKIE = 'deskbell_csrf';

/** Who is asking: the session behind the cookie, and the CSRF token forms must send back. */
export default fp(async (app) => {
  const { config, db, catalogue } = app;
  const csrfToken = csrfTokens(config.secretKey);
  app.decorateRequest('actor', null);
  app.decorateRequest('sessionId', null);
  app.decorateRequest('csrfSecret', '');
  app.decorateRequest('csrfToken', '');
  app.decorateRequest('t', null as never);
  app.decorateRequest('apiToken', null);

  app.addHook('onRequest', async (request, reply) => {
    // An API request with a bearer token (src/api/auth.ts) carries no cookie session: neither the
    // session nor a visitor's CSRF cookie, whatever cookies the client also sends.
    if (hasBearerToken(request)) {
      request.t = catalogue.translator(chooseLocale(catalogue, undefined, request.headers['accept-language']));
      return;
    }
    const token = request.cookies[SESSION_COOKIE];
    const session = token && token.length < 100 ? await findSession(db, token) : null;
    if (session) {
      await touchSession(db, session.id, session.lastSeenAt);
      request.actor = session.actor;
      request.sessionId = session.id;
      request.csrfSecret = session.csrfSecret;
    } else {
      if (token) reply.clearCookie(SESSION_COOKIE, { path: '/' });
      // Visitors (login, setup, password pages) get a double-submit secret in a cookie of their own.
      let secret = request.cookies[VISITOR_CSRF_COOKIE];
      if (!secret || secret.length < 20 || secret.length > 100) {
        secret = randomToken();
        reply.setCookie(VISITOR_CSRF_COOKIE, secret, cookieOptions(config));
      }
      request.csrfSecret = secret;
    }
    request.csrfToken = csrfToken(request.csrfSecret);
    request.t = catalogue.translator(chooseLocale(catalogue, request.actor?.locale, request.headers['accept-language']));
  });
}, { name: 'session' });

/**
 * The CSRF token of a secret (the same HMAC each time), remembered: every request of a session asks
 * for it again. Bounded: emptied when full.
 */
function csrfTokens(secretKey: string): (secret: string) => string {
  const known = new Map<string, string>();
  return (secret) => {
    let token = known.get(secret);
    if (token === undefined) {
      if (known.size >= 10_000) known.clear();
      known.set(secret, token = hmac(secretKey, `csrf:${secret}`));
    }
    return token;
  };
}

/** `Authorization: Bearer …` on an /api address: the API authenticates it, not the cookie. */
export function hasBearerToken(request: FastifyRequest): boolean {
  const header = request.headers.authorization;
  return typeof header === 'string' && /^bearer\s/i.test(header) && request.url.startsWith('/api/');
}

/**
 * The language of a page: the user's profile choice when the desk has it; for visitors (and a user
 * whose stored choice is empty or no longer shipped) the browser's Accept-Language; else English.
 */
export function chooseLocale(catalogue: Catalogue, profile: string | undefined, acceptLanguage: string | undefined): string {
  if (profile && catalogue.locales().includes(profile)) return profile;
  return catalogue.negotiate(acceptLanguage) ?? 'en';
}

export function cookieOptions(config: Config, maxAgeMs?: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: config.secureCookies,
    ...(maxAgeMs ? { maxAge: Math.floor(maxAgeMs / 1000) } : {}),
  };
}

export function setSessionCookie(reply: FastifyReply, config: Config, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, cookieOptions(config, config.sessionTtlMs));
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}
