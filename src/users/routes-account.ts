import type { FastifyInstance } from 'fastify';
import { Invalid } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { allow } from '../plugins/guards.js';
import { endAllSessions } from '../auth/sessions.js';
import { clearSessionCookie, setSessionCookie } from '../plugins/session.js';
import { changePassword } from './passwords.js';
import { availableLocales, availableTimeZones, profileValues, rememberBrowserZone, updateProfile } from './profile.js';
import { browserZoneSchema, changePasswordSchema, parseProfileForm } from './schemas.js';

type Form = Record<string, string | undefined>;

/** Everyone's own profile (seed 004's "My Page" settings): name, language, time zone, password. */
export default async function accountRoutes(app: FastifyInstance) {
  const { db, config } = app;
  app.addHook('preHandler', allow('account.use'));

  const choices = () => ({ locales: availableLocales(), timeZones: availableTimeZones() });

  app.get('/account', async (request, reply) => {
    const values = await profileValues(db, request.actor!);
    return reply.page('account/profile', { values, errors: {}, passwordErrors: {}, ...choices() });
  });

  app.post<{ Body: Form }>('/account', async (request, reply) => {
    const form = request.body ?? {};
    try {
      await updateProfile(db, request.actor!, parseProfileForm(form));
      return reply.seeOther('/account', 'account.saved');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const values = { ...form, email: request.actor!.email };
      return reply.page('account/profile', { values, errors: error.fields, passwordErrors: {}, ...choices() },
        { status: 422, fragment: 'account/_profile_form' });
    }
  });

  app.post<{ Body: Form }>('/account/password', async (request, reply) => {
    const form = request.body ?? {};
    try {
      const token = await changePassword(db, request.actor!, parseForm(changePasswordSchema, form),
        { ttlMs: config.sessionTtlMs, ip: request.ip, userAgent: request.headers['user-agent'], limits: config.loginLimit });
      setSessionCookie(reply, config, token);
      app.live.endStreamsOf(request.actor!.id);
      return reply.seeOther('/account', 'account.password.changed');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const values = await profileValues(db, request.actor!);
      return reply.page('account/profile', {
        values, errors: {}, passwordErrors: error.fields, passwordMessage: request.t(error.message), ...choices(),
      }, { status: 422, fragment: 'account/_password_form' });
    }
  });

  // Sent once by zone.js for someone without a zone of their own: times then read as on their wall clock.
  app.post<{ Body: Form }>('/account/zone', async (request, reply) => {
    const { zone } = parseForm(browserZoneSchema, request.body ?? {});
    await rememberBrowserZone(db, request.actor!, zone);
    return reply.code(204).send();
  });

  // A lost phone or a shared computer: every session of the person ends, this browser's too.
  app.post('/account/sessions/end', async (request, reply) => {
    await endAllSessions(db, request.actor!.id);
    app.live.endStreamsOf(request.actor!.id);
    clearSessionCookie(reply);
    return reply.seeOther('/login', 'account.sessions.ended');
  });
}
