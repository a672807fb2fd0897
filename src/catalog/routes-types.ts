import type { FastifyInstance } from 'fastify';
import { Invalid } from '../lib/errors.js';
import { parseForm, readForm } from '../lib/form.js';
import { allow } from '../plugins/guards.js';
import { idParam, typePage } from './pages.js';
import { listTypes } from './queries.js';
import { addTypeField, moveTypeField, removeTypeField } from './type-fields.js';
import { moveSchema, retirementSchema, typeFieldSchema, typeSchema } from './schemas.js';
import { createType, setTypeRetired, updateType } from './types.js';

type Form = Record<string, string | undefined>;
type Params = { id: string; fieldId: string };

/** `/admin/types`: ticket types (help topics), their settings and their fields in order. */
export default async function catalogTypeRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('admin.access'));

  app.get('/admin/types', async (_request, reply) => reply.page('admin/types', { types: await listTypes(db) }));

  app.get('/admin/types/new', async (_request, reply) => reply.page('admin/types-edit', { ...(await typePage(db, null, null)), errors: {} }));

  app.post<{ Body: Form }>('/admin/types', async (request, reply) => {
    const form = request.body ?? {};
    try {
      const id = await createType(db, request.actor!, readForm(typeSchema, form));
      return reply.seeOther(`/admin/types/${id}`, 'admin.types.created');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('admin/types-edit', { ...(await typePage(db, null, form)), errors: error.fields, message: request.t(error.message) }, { status: 422 });
    }
  });

  app.get<{ Params: Params }>('/admin/types/:id', async (request, reply) =>
    reply.page('admin/types-edit', { ...(await typePage(db, idParam(request.params.id), null)), errors: {} }));

  app.post<{ Params: Params; Body: Form }>('/admin/types/:id', async (request, reply) => {
    const id = idParam(request.params.id);
    const form = request.body ?? {};
    try {
      await updateType(db, request.actor!, id, readForm(typeSchema, form));
      return reply.seeOther(`/admin/types/${id}`, 'admin.types.saved');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('admin/types-edit', { ...(await typePage(db, id, form)), errors: error.fields, message: request.t(error.message) }, { status: 422 });
    }
  });

  app.post<{ Params: Params; Body: Form }>('/admin/types/:id/retirement', async (request, reply) => {
    const id = idParam(request.params.id);
    const retire = parseForm(retirementSchema, request.body).retired;
    await setTypeRetired(db, request.actor!, id, retire);
    return reply.seeOther(`/admin/types/${id}`, retire ? 'admin.types.retired' : 'admin.types.unretired');
  });

  app.post<{ Params: Params; Body: Form }>('/admin/types/:id/fields', async (request, reply) => {
    const id = idParam(request.params.id);
    try {
      await addTypeField(db, request.actor!, id, parseForm(typeFieldSchema, request.body));
      return reply.seeOther(`/admin/types/${id}#type-fields`, 'admin.types.fieldAdded');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('admin/types-edit', { ...(await typePage(db, id, null)), errors: error.fields, message: request.t(error.message) }, { status: 422 });
    }
  });

  app.post<{ Params: Params; Body: Form }>('/admin/types/:id/fields/:fieldId/position', async (request, reply) => {
    const id = idParam(request.params.id);
    await moveTypeField(db, request.actor!, id, idParam(request.params.fieldId), parseForm(moveSchema, request.body).direction);
    return reply.seeOther(`/admin/types/${id}#type-fields`, 'admin.types.fieldMoved');
  });

  app.post<{ Params: Params }>('/admin/types/:id/fields/:fieldId/removal', async (request, reply) => {
    const id = idParam(request.params.id);
    await removeTypeField(db, request.actor!, id, idParam(request.params.fieldId));
    return reply.seeOther(`/admin/types/${id}#type-fields`, 'admin.types.fieldRemoved');
  });
}
