import type { FastifyInstance } from 'fastify';
import { Invalid } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { allow } from '../plugins/guards.js';
import { clearSessionCookie } from '../plugins/session.js';
import { personId } from '../people/routes.js';
import { newDeviceMailSchema, sessionChoiceSchema } from './schemas.js';
import { endOtherSessions, endOwnSession, endSessionsOf, listSessions, newDeviceMailOn, setNewDeviceMail } from './session-list.js';

type Form = Record<string, string | undefined>;

/** `/account/sessions`: one's signed-in browsers, each signed out on its own or all but this one; the admin's "sign out everywhere" for a person. */
export default async function sessionRoutes(app: FastifyInstance) {
  const { db } = app;
  const signedIn = { preHandler: allow('account.use') };

  app.get('/account/sessions', signedIn, async (request, reply) => {
    const sessions = await listSessions(db, request.actor!.id, request.sessionId);
    return reply.page('account/sessions', { sessions, errors: {}, newDeviceMail: await newDeviceMailOn(db, request.actor!.id) });
  });

  app.post<{ Body: Form }>('/account/sessions/mail', signedIn, async (request, reply) => {
    const { newDeviceMail } = parseForm(newDeviceMailSchema, request.body ?? {});
    await setNewDeviceMail(db, request.actor!.id, newDeviceMail);
    return reply.seeOther('/account/sessions', newDeviceMail ? 'sessions.mail.on' : 'sessions.mail.off');
  });

  app.post<{ Body: Form }>('/account/sessions/removal', signedIn, async (request, reply) => {
    const actor = request.actor!;
    let session: string;
    try {
      ({ session } = parseForm(sessionChoiceSchema, request.body ?? {}));
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const sessions = await listSessions(db, actor.id, request.sessionId);
      return reply.page('account/sessions', {
        sessions, errors: error.fields, message: request.t('sessions.pick'), newDeviceMail: await newDeviceMailOn(db, actor.id),
      }, { status: 422 });
    }
    if (session === 'others') {
      const ended = await endOtherSessions(db, actor.id, request.sessionId!);
      // Their open live streams end with them (this browser's stay).
      for (const id of ended) app.live.endSessionStreams(id);
      return reply.seeOther('/account/sessions', 'sessions.othersEnded', { params: { count: ended.length } });
    }
    await endOwnSession(db, actor.id, session);
    app.live.endSessionStreams(session);
    if (session === request.sessionId) {
      clearSessionCookie(reply);
      return reply.seeOther('/login', 'account.sessions.ended');
    }
    return reply.seeOther('/account/sessions', 'sessions.ended');
  });

  app.post<{ Params: { id: string } }>('/admin/users/:id/sessions/removal', { preHandler: allow('admin.access') }, async (request, reply) => {
    const id = personId(request.params);
    const ended = await endSessionsOf(db, request.actor!, id);
    for (const sessionId of ended) app.live.endSessionStreams(sessionId);
    return reply.seeOther(`/admin/users/${id}`, 'admin.users.sessions.ended', { params: { count: ended.length } });
  });
}
