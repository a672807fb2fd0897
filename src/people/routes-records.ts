import type { FastifyInstance } from 'fastify';
import { Invalid } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { allow } from '../plugins/guards.js';
import { erasePerson } from './erase.js';
import { exportPerson } from './export.js';
import { mergeCandidates, mergePeople } from './merge.js';
import { assertAdmin, loadPerson } from './people.js';
import { personCounts } from './queries.js';
import { personId } from './routes.js';
import { mergeLookupSchema, mergeSchema } from './schemas.js';

type Form = Record<string, string | undefined>;

/** A person's record as a whole: merge two into one, export it (JSON), erase it. */
export default async function personRecordRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('admin.access'));

  app.get<{ Params: { id: string }; Querystring: Form }>('/admin/users/:id/merge', async (request, reply) => {
    const id = personId(request.params);
    const other = request.query.other;
    if (other === undefined) {
      assertAdmin(request.actor!);
      return reply.page('admin/users-merge', { kept: await loadPerson(db, id), values: {}, errors: {} });
    }
    try {
      return reply.page('admin/users-merge', { ...await mergeCandidates(db, request.actor!, id, parseForm(mergeLookupSchema, { other })), values: { other }, errors: {} });
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('admin/users-merge', { kept: await loadPerson(db, id), values: { other }, errors: error.fields }, { status: 422 });
    }
  });

  app.post<{ Params: { id: string }; Body: Form }>('/admin/users/:id/merge', async (request, reply) => {
    const id = personId(request.params);
    const removedId = await mergePeople(db, request.actor!, id, parseForm(mergeSchema, request.body));
    // Both records' access changed: the removed one is gone, the kept one took its groups and organisation.
    app.live.endStreamsOf(id);
    app.live.endStreamsOf(removedId);
    return reply.seeOther(`/admin/users/${id}`, 'admin.users.merge.done');
  });

  app.get<{ Params: { id: string } }>('/admin/users/:id/export', async (request, reply) => {
    const id = personId(request.params);
    const data = await exportPerson(db, request.actor!, id);
    return reply.type('application/json; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="person-${id}.json"`)
      .header('Cache-Control', 'no-store')
      .send(JSON.stringify(data, null, 2));
  });

  app.get<{ Params: { id: string } }>('/admin/users/:id/erase', async (request, reply) => {
    assertAdmin(request.actor!);
    const person = await loadPerson(db, personId(request.params));
    return reply.page('admin/users-erase', { person, counts: await personCounts(db, person.id) });
  });

  app.post<{ Params: { id: string } }>('/admin/users/:id/erase', async (request, reply) => {
    const id = personId(request.params);
    await erasePerson(db, request.actor!, id);
    app.live.endStreamsOf(id);
    return reply.seeOther(`/admin/users/${id}`, 'admin.users.erase.done');
  });
}
