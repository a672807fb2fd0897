import type { FastifyInstance } from 'fastify';
import { Invalid } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { allow } from '../plugins/guards.js';
import { createField, setFieldRetired, updateField } from './fields.js';
import { fieldPage, idParam } from './pages.js';
import { listFields } from './queries.js';
import { readEditFieldForm, readNewFieldForm, retirementSchema } from './schemas.js';

type Form = Record<string, string | undefined>;
type Params = { id: string };

/** `/admin/fields`: the custom fields ticket types are made of. */
export default async function catalogFieldRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('admin.access'));

  app.get('/admin/fields', async (_request, reply) => reply.page('admin/fields', { fields: await listFields(db) }));

  app.get('/admin/fields/new', async (_request, reply) => reply.page('admin/fields-edit', { ...(await fieldPage(db, null, null)), errors: {} }));

  app.post<{ Body: Form }>('/admin/fields', async (request, reply) => {
    const form = request.body ?? {};
    try {
      const id = await createField(db, request.actor!, readNewFieldForm(form));
      return reply.seeOther(`/admin/fields/${id}`, 'admin.fields.created');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('admin/fields-edit', { ...(await fieldPage(db, null, form)), errors: error.fields, message: request.t(error.message) }, { status: 422 });
    }
  });

  app.get<{ Params: Params }>('/admin/fields/:id', async (request, reply) =>
    reply.page('admin/fields-edit', { ...(await fieldPage(db, idParam(request.params.id), null)), errors: {} }));

  app.post<{ Params: Params; Body: Form }>('/admin/fields/:id', async (request, reply) => {
    const id = idParam(request.params.id);
    const form = request.body ?? {};
    try {
      await updateField(db, request.actor!, id, readEditFieldForm(form));
      return reply.seeOther(`/admin/fields/${id}`, 'admin.fields.saved');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('admin/fields-edit', { ...(await fieldPage(db, id, form)), errors: error.fields, message: request.t(error.message) }, { status: 422 });
    }
  });

  app.post<{ Params: Params; Body: Form }>('/admin/fields/:id/retirement', async (request, reply) => {
    const id = idParam(request.params.id);
    const retire = parseForm(retirementSchema, request.body).retired;
    await setFieldRetired(db, request.actor!, id, retire);
    return reply.seeOther(`/admin/fields/${id}`, retire ? 'admin.fields.retired' : 'admin.fields.unretired');
  });
}
