import type { FastifyInstance } from 'fastify';
import { Invalid, TooManyRequests } from '../lib/errors.js';
import { parseForm, readForm } from '../lib/form.js';
import { statusOf } from '../plugins/errors.js';
import { clearSessionCookie, SESSION_COOKIE, setSessionCookie } from '../plugins/session.js';
import { safeNext } from '../plugins/guards.js';
import { homeFor } from '../users/actor.js';
import { newPasswordSchema } from '../users/schemas.js';
import { checkSetupToken, createFirstAdmin, logIn, personForToken, SetupDone, setPasswordWithToken } from './auth.js';
import { loginSchema, readToken, setupSchema } from './schemas.js';
import { finishSignIn } from './routes-two-factor.js';
import { endSession, startSession } from './sessions.js';
import { loginProviders } from '../sso/providers.js';

type Form = Record<string, string | undefined>;

export default async function authRoutes(app: FastifyInstance) {
  const { db, config } = app;

  app.get<{ Querystring: Form }>('/login', async (request, reply) => {
    if (request.actor) return reply.seeOther(homeFor(request.actor));
    return reply.page('auth/login', { values: { next: safeNext(request.query.next) ?? '' }, errors: {}, providers: await loginProviders(db) });
  });

  app.post<{ Body: Form }>('/login', async (request, reply) => {
    const form = request.body ?? {};
    try {
      const actor = await logIn(db, config.loginLimit, parseForm(loginSchema, form), request.ip);
      // The session begins here, or after the second step (routes-two-factor.ts).
      return await finishSignIn(request, reply, actor, safeNext(form.next));
    } catch (error) {
      if (!(error instanceof Invalid || error instanceof TooManyRequests)) throw error;
      if (error instanceof TooManyRequests) reply.header('Retry-After', String(error.retryAfterSeconds));
      return reply.page('auth/login', {
        values: { email: form.email ?? '', next: safeNext(form.next) ?? '' },
        errors: error instanceof Invalid ? error.fields : {},
        message: request.t(error.message, error.params),
        providers: await loginProviders(db),
      }, { status: statusOf(error), fragment: 'auth/_login_form' });
    }
  });

  app.post('/logout', async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await endSession(db, token);
    if (request.sessionId) app.live.endSessionStreams(request.sessionId);
    clearSessionCookie(reply);
    return reply.seeOther('/login', 'auth.loggedOut');
  });

  // Once the desk has an admin (made here or with `deskbell user add`), setup links lead to login.
  app.get<{ Querystring: Form }>('/setup', async (request, reply) => {
    try {
      await checkSetupToken(db, readToken(request.query.token));
    } catch (error) {
      if (error instanceof SetupDone) return reply.seeOther('/login', error.message);
      throw error;
    }
    return reply.page('auth/setup', { values: { token: request.query.token }, errors: {} });
  });

  app.post<{ Body: Form }>('/setup', async (request, reply) => {
    const form = request.body ?? {};
    try {
      const userId = await createFirstAdmin(db, readToken(form.token), readForm(setupSchema, form));
      const token = await startSession(db, userId, config.sessionTtlMs, { ip: request.ip });
      setSessionCookie(reply, config, token);
      return reply.seeOther('/agent', 'setup.done');
    } catch (error) {
      if (error instanceof SetupDone) return reply.seeOther('/login', error.message);
      if (!(error instanceof Invalid)) throw error;
      return reply.page('auth/setup', { values: { ...form, password: '' }, errors: error.fields },
        { status: 422, fragment: 'auth/_setup_form' });
    }
  });

  // The invitation link: the invited person sets a password and is logged in.
  app.get<{ Querystring: Form }>('/welcome', async (request, reply) => {
    const person = await personForToken(db, 'invite', readToken(request.query.token));
    return reply.page('auth/password', { person, values: { token: request.query.token }, errors: {}, action: '/welcome' });
  });

  app.post<{ Body: Form }>('/welcome', async (request, reply) => {
    const form = request.body ?? {};
    const person = await personForToken(db, 'invite', readToken(form.token));
    try {
      const actor = await setPasswordWithToken(db, 'invite', readToken(form.token), parseForm(newPasswordSchema, form));
      return await finishSignIn(request, reply, actor, null, 'auth.passwordSet');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('auth/password', { person, values: { token: form.token }, errors: error.fields, action: '/welcome' },
        { status: 422, fragment: 'auth/_password_form' });
    }
  });
}
