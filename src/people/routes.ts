import type { FastifyInstance } from 'fastify';
import { findLoginLock } from '../auth/attempts.js';
import { listSessions } from '../auth/session-list.js';
import { Invalid, NotFound } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { positiveInt } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { listOrganizationChoices } from '../users/invite-customer.js';
import { nextPageUrl, parsePeopleQuery } from './list-query.js';
import { changeRole, createPerson, isErased, sendPasswordLink, setPersonState, unlockSignIn } from './people.js';
import { findPerson, listPeople, personCounts } from './queries.js';
import { readCreatePersonForm, roleSchema, stateSchema } from './schemas.js';
import { signInMethods } from './sign-in-methods.js';
import { removePasskeyOf } from '../passkeys/passkeys.js';
import { unlinkIdentity } from '../sso/identities.js';

type Form = Record<string, string | undefined>;
type WithId = { Params: { id: string }; Body: Form };

export function personId(params: { id: string }): number {
  return idParam(params.id);
}

function idParam(value: string): number {
  const id = positiveInt(value);
  if (id === null) throw new NotFound();
  return id;
}

/** `/admin/users`: find people, add them, change their role, disable them, send them a way in. */
export default async function peopleRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('admin.access'));

  app.get<{ Querystring: Form }>('/admin/users', async (request, reply) => {
    const query = parsePeopleQuery(request.query);
    const { people, next } = await listPeople(db, query, query.after);
    return reply.page('admin/users', { people, query, nextUrl: nextPageUrl(query, next) }, { fragment: 'admin/users-table' });
  });

  app.get('/admin/users/new', async (_request, reply) => {
    return reply.page('admin/users-new', { values: { role: 'customer', method: 'invite' }, errors: {}, organizations: await listOrganizationChoices(db) });
  });

  app.post<{ Body: Form }>('/admin/users', async (request, reply) => {
    const form = request.body ?? {};
    try {
      const id = await createPerson(db, request.actor!, readCreatePersonForm(form));
      return reply.seeOther(`/admin/users/${id}`, form.method === 'invite' ? 'admin.users.created.invited' : 'admin.users.created.active');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('admin/users-new', { values: { ...form, password: '' }, errors: error.fields, organizations: await listOrganizationChoices(db) },
        { status: 422, fragment: 'admin/users-form' });
    }
  });

  app.get<WithId>('/admin/users/:id', async (request, reply) => {
    const person = await findPerson(db, personId(request.params));
    if (!person) throw new NotFound();
    return reply.page('admin/users-show', {
      person, counts: await personCounts(db, person.id), erased: isErased(person), lock: await findLoginLock(db, person.email) ?? null,
      sessions: await listSessions(db, person.id), methods: await signInMethods(db, person),
    });
  });

  app.post<WithId>('/admin/users/:id/role', async (request, reply) => {
    const id = personId(request.params);
    await changeRole(db, request.actor!, id, parseForm(roleSchema, request.body));
    app.live.endStreamsOf(id);
    return reply.seeOther(`/admin/users/${id}`, 'admin.users.role.changed');
  });

  app.post<WithId>('/admin/users/:id/state', async (request, reply) => {
    const id = personId(request.params);
    const done = await setPersonState(db, request.actor!, id, parseForm(stateSchema, request.body));
    app.live.endStreamsOf(id);
    return reply.seeOther(`/admin/users/${id}`, `admin.users.stateChanged.${done}`);
  });

  app.post<WithId>('/admin/users/:id/unlock', async (request, reply) => {
    const id = personId(request.params);
    const done = await unlockSignIn(db, request.actor!, id);
    return reply.seeOther(`/admin/users/${id}`, `admin.users.unlock.${done}`);
  });

  // The person's sign-in methods (issue 24): a passkey removed, a provider's link undone; both audited.

  app.post<{ Params: { id: string; passkeyId: string } }>('/admin/users/:id/passkeys/:passkeyId/delete', async (request, reply) => {
    const id = personId(request.params);
    await removePasskeyOf(db, request.actor!, id, idParam(request.params.passkeyId));
    return reply.seeOther(`/admin/users/${id}`, 'admin.users.passkeys.removed');
  });

  app.post<{ Params: { id: string; providerId: string } }>('/admin/users/:id/sso/:providerId/unlink', async (request, reply) => {
    const id = personId(request.params);
    const done = await unlinkIdentity(db, request.actor!, id, idParam(request.params.providerId));
    return reply.seeOther(`/admin/users/${id}`, `admin.users.sso.${done}`);
  });

  app.post<WithId>('/admin/users/:id/password-link', async (request, reply) => {
    const id = personId(request.params);
    const sent = await sendPasswordLink(db, request.actor!, id);
    return reply.seeOther(`/admin/users/${id}`, `admin.users.linkSent.${sent}`);
  });
}
