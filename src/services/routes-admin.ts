import type { FastifyInstance, FastifyReply } from 'fastify';
import { Invalid, Malformed, NotFound } from '../lib/errors.js';
import { positiveInt } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { importServices } from './import.js';
import { findService, listServices, SERVICE_PAGE, SERVICE_STATES, serviceChoices, type ServiceState } from './queries.js';
import { IMPORT_LIMITS, readServiceForm, readServicesCsv } from './schemas.js';
import { createService, updateService } from './services.js';

type Form = Record<string, string | undefined>;

type Id = { Params: { id: string } };

/** `/admin/services` (seed 004): customers' and organisations' services and their provider groups; CSV import. */
export default async function adminServiceRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('admin.access'));

  const form = async (reply: FastifyReply, view: string, data: Record<string, unknown>, status = 200) =>
    reply.page(view, { errors: {}, ...data, ...await serviceChoices(db) }, { status });

  app.get<{ Querystring: { state?: string; before?: string } }>('/admin/services', async (request, reply) => {
    const { state = '', before } = request.query;
    if (state !== '' && !SERVICE_STATES.includes(state as ServiceState)) throw new Malformed('errors.badFilter');
    const beforeId = before ? positiveInt(before) : undefined;
    if (beforeId === null) throw new Malformed('errors.badCursor');
    const services = await listServices(db, { state: (state || undefined) as ServiceState | undefined, beforeId });
    const next = services.length === SERVICE_PAGE ? services[services.length - 1]!.id : null;
    return reply.page('admin/services', { services, state, next });
  });

  app.get('/admin/services/new', async (_request, reply) => form(reply, 'admin/services-new', { values: { state: 'active' } }));

  app.post<{ Body: Form }>('/admin/services', async (request, reply) => {
    try {
      await createService(db, request.actor!, readServiceForm(request.body));
      return reply.seeOther('/admin/services', 'admin.services.created');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return form(reply, 'admin/services-new', { values: request.body ?? {}, errors: error.fields }, 422);
    }
  });

  app.get('/admin/services/import', async (_request, reply) =>
    reply.page('admin/services-import', { values: {}, errors: {}, limits: IMPORT_LIMITS }));

  app.post<{ Body: { csv?: string } }>('/admin/services/import', async (request, reply) => {
    try {
      const report = await importServices(db, request.actor!, await readServicesCsv(request.body?.csv));
      return reply.page('admin/services-report', { report });
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('admin/services-import', { values: request.body ?? {}, errors: error.fields, limits: IMPORT_LIMITS }, { status: 422 });
    }
  });

  app.get<Id>('/admin/services/:id', async (request, reply) => {
    const service = await findService(db, positiveInt(request.params.id) ?? -1);
    if (!service) throw new NotFound();
    return form(reply, 'admin/services-edit', { service, values: {
      name: service.name, customerEmail: service.customer_email ?? '', organizationId: service.organization_id ?? '',
      providerGroupId: service.provider_group_id ?? '', state: service.state, startsOn: service.starts_on ?? '', endsOn: service.ends_on ?? '',
    } });
  });

  app.post<Id & { Body: Form }>('/admin/services/:id', async (request, reply) => {
    const id = positiveInt(request.params.id) ?? -1;
    try {
      await updateService(db, request.actor!, id, readServiceForm(request.body));
      return reply.seeOther('/admin/services', 'admin.services.saved');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const service = await findService(db, id);
      if (!service) throw new NotFound();
      return form(reply, 'admin/services-edit', { service, values: request.body ?? {}, errors: error.fields }, 422);
    }
  });
}
