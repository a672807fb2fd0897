import type { FastifyInstance } from 'fastify';
import { Invalid } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { newPasswordSchema } from '../users/schemas.js';
import { personForToken } from './auth.js';
import { requestPasswordReset, resetPassword } from './reset.js';
import { forgotSchema, readToken } from './schemas.js';
import { finishSignIn } from './routes-two-factor.js';

type Form = Record<string, string | undefined>;

/** The reset page reuses the "Create password" form with its own address and words. */
const RESET_FORM = {
  action: '/password/reset',
  keys: { title: 'password.reset.title', intro: 'password.reset.intro', submit: 'password.reset.submit' },
};

/** "Forgot password?": a reset link by mail (single use, one hour), then a new password. */
export default async function passwordRoutes(app: FastifyInstance) {
  const { db } = app;

  app.get('/password/forgot', async (_request, reply) => {
    return reply.page('auth/forgot', { values: {}, errors: {} });
  });

  app.post<{ Body: Form }>('/password/forgot', async (request, reply) => {
    const form = request.body ?? {};
    try {
      await requestPasswordReset(db, parseForm(forgotSchema, form), request.ip);
      return reply.seeOther('/password/forgot/sent');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('auth/forgot', { values: { email: form.email ?? '' }, errors: error.fields },
        { status: 422, fragment: 'auth/_forgot_form' });
    }
  });

  app.get('/password/forgot/sent', async (_request, reply) => reply.page('auth/forgot-sent'));

  app.get<{ Querystring: Form }>('/password/reset', async (request, reply) => {
    const person = await personForToken(db, 'reset', readToken(request.query.token));
    return reply.page('auth/password', { person, values: { token: request.query.token }, errors: {}, ...RESET_FORM });
  });

  app.post<{ Body: Form }>('/password/reset', async (request, reply) => {
    const form = request.body ?? {};
    const person = await personForToken(db, 'reset', readToken(form.token));
    try {
      const actor = await resetPassword(db, readToken(form.token), parseForm(newPasswordSchema, form));
      // A reset link proves the mailbox, not the second factor: that step still comes.
      return await finishSignIn(request, reply, actor, null, 'password.reset.done');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('auth/password', { person, values: { token: form.token }, errors: error.fields, ...RESET_FORM },
        { status: 422, fragment: 'auth/_password_form' });
    }
  });
}
