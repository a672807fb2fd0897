import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Invalid, NotFound } from '../lib/errors.js';
import { parseForm, readForm } from '../lib/form.js';
import { positiveInt } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { deleteStatus, deletionPlan } from './delete.js';
import { CATEGORIES, PRESETS } from './presets.js';
import { findStatus, listStatuses, readStatusSettings, STATUS_COUNT_CAP, ticketCounts } from './queries.js';
import { deleteSchema, positionSchema, readPresetMapping, statusSchema, statusSettingsSchema } from './schemas.js';
import { createStatus, makeDefaultStatus, repositionStatus, requireAdmin, saveStatusSettings, updateStatus } from './statuses.js';
import { applyPreset, presetPlan } from './workflow.js';

type StatusForm = Record<string, string | undefined>;
type Id = { Params: { id: string } };

/** `/admin/statuses`: the workflow, its two status settings and the presets. Admins only. */
export default async function statusRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('admin.access'));
  const common = { categories: CATEGORIES, countCap: STATUS_COUNT_CAP };

  async function listPage(request: FastifyRequest, reply: FastifyReply, extra: { values?: StatusForm; errors?: Record<string, string> } = {}, status = 200) {
    requireAdmin(request.actor!);
    const statuses = await listStatuses(db);
    const counts = await ticketCounts(db, statuses.map((s) => s.id));
    const settings = await readStatusSettings(db);
    const values = extra.values ?? { assignmentStatusId: String(settings.assignment ?? ''), offerAcceptedStatusId: String(settings.offerAccepted ?? '') };
    return reply.page('admin/statuses/index', { ...common, statuses, counts, presets: PRESETS, values, errors: extra.errors ?? {} }, { status });
  }

  const formPage = (reply: FastifyReply, data: { status?: unknown; values: StatusForm; errors?: Record<string, string> }, status = 200) =>
    reply.page('admin/statuses/form', { ...common, errors: {}, ...data }, { status });

  app.get('/admin/statuses', async (request, reply) => listPage(request, reply));

  app.post<{ Body: StatusForm }>('/admin/statuses/settings', async (request, reply) => {
    try {
      await saveStatusSettings(db, request.actor!, readForm(statusSettingsSchema, request.body));
      return reply.seeOther('/admin/statuses', 'admin.statuses.settingsSaved');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return listPage(request, reply, { values: request.body ?? {}, errors: error.fields }, 422);
    }
  });

  app.get('/admin/statuses/new', async (request, reply) => {
    requireAdmin(request.actor!);
    return formPage(reply, { values: { category: 'open' } });
  });

  app.post<{ Body: StatusForm }>('/admin/statuses', async (request, reply) => {
    try {
      await createStatus(db, request.actor!, readForm(statusSchema, request.body));
      return reply.seeOther('/admin/statuses', 'admin.statuses.created');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return formPage(reply, { values: request.body ?? {}, errors: error.fields }, 422);
    }
  });

  app.get<Id>('/admin/statuses/:id/edit', async (request, reply) => {
    requireAdmin(request.actor!);
    const status = await findStatus(db, statusId(request.params.id));
    if (!status) throw new NotFound();
    return formPage(reply, { status, values: { name: status.name, customerLabel: status.customer_label, category: status.category } });
  });

  app.post<Id & { Body: StatusForm }>('/admin/statuses/:id', async (request, reply) => {
    const id = statusId(request.params.id);
    try {
      await updateStatus(db, request.actor!, id, readForm(statusSchema, request.body));
      return reply.seeOther('/admin/statuses', 'admin.statuses.updated');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return formPage(reply, { status: await findStatus(db, id), values: request.body ?? {}, errors: error.fields }, 422);
    }
  });

  app.post<Id & { Body: StatusForm }>('/admin/statuses/:id/position', async (request, reply) => {
    await repositionStatus(db, request.actor!, statusId(request.params.id), parseForm(positionSchema, request.body).direction);
    return reply.seeOther('/admin/statuses', 'admin.statuses.moved');
  });

  app.post<Id>('/admin/statuses/:id/default', async (request, reply) => {
    await makeDefaultStatus(db, request.actor!, statusId(request.params.id));
    return reply.seeOther('/admin/statuses', 'admin.statuses.defaultSet');
  });

  app.get<Id>('/admin/statuses/:id/delete', async (request, reply) => {
    const plan = await deletionPlan(db, request.actor!, statusId(request.params.id));
    return reply.page('admin/statuses/delete', { ...common, plan, values: { moveTo: String(plan.suggested ?? '') }, errors: {} });
  });

  app.post<Id & { Body: StatusForm }>('/admin/statuses/:id/delete', async (request, reply) => {
    const id = statusId(request.params.id);
    try {
      const { moved } = await deleteStatus(db, request.actor!, id, parseForm(deleteSchema, request.body));
      return reply.seeOther('/admin/statuses', moved > 0 ? 'admin.statuses.deletedMoved' : 'admin.statuses.deleted');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const plan = await deletionPlan(db, request.actor!, id);
      return reply.page('admin/statuses/delete', { ...common, plan, values: request.body ?? {}, errors: error.fields }, { status: 422 });
    }
  });

  app.get<{ Params: { key: string } }>('/admin/statuses/presets/:key', async (request, reply) => {
    const plan = await presetPlan(db, request.actor!, request.params.key);
    return reply.page('admin/statuses/preset', { ...common, plan, values: {}, errors: {} });
  });

  app.post<{ Params: { key: string }; Body: StatusForm }>('/admin/statuses/presets/:key', async (request, reply) => {
    try {
      await applyPreset(db, request.actor!, request.params.key, readPresetMapping(request.body));
      return reply.seeOther('/admin/statuses', 'admin.statuses.presetApplied');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const plan = await presetPlan(db, request.actor!, request.params.key);
      return reply.page('admin/statuses/preset', { ...common, plan, values: request.body ?? {}, errors: error.fields }, { status: 422 });
    }
  });
}

function statusId(raw: string): number {
  const id = positiveInt(raw);
  if (id === null) throw new NotFound();
  return id;
}
