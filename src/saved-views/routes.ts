import type { FastifyInstance } from 'fastify';
import { Forbidden, Invalid } from '../lib/errors.js';
import { readForm } from '../lib/form.js';
import { idParam, positiveInt } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { savedViewsMenu } from './menu.js';
import { canManageView, canShareViews, deleteView, findVisibleView, saveView, updateView } from './saved-views.js';
import { viewSchema } from './schemas.js';

type Form = Record<string, string | undefined>;

/** Saved views of the agent list: the manage page, the menu's lazily counted list, save, edit, delete. */
export default async function savedViewRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('desk.use'));

  app.get('/agent/views', async (request, reply) => {
    const views = await savedViewsMenu(db, request.actor!, { counts: true });
    return reply.page('saved-views/index', { views });
  });

  // What the side menu loads after the page (hx-trigger="load"): the list never waits for counts.
  app.get<{ Querystring: Form }>('/agent/views/menu', async (request, reply) => {
    const views = await savedViewsMenu(db, request.actor!, { counts: true });
    return reply.page('saved-views/_menu', { savedViews: views, counted: true, savedId: positiveInt(request.query.saved) });
  });

  app.get<{ Querystring: Form }>('/agent/views/new', async (request, reply) => {
    const values = { name: '', query: request.query.query ?? '', shared: '' };
    return reply.page('saved-views/form', { values, errors: {}, canShare: canShareViews(request.actor!) });
  });

  app.post<{ Body: Form }>('/agent/views', async (request, reply) => {
    const form = request.body ?? {};
    try {
      const id = await saveView(db, request.actor!, readForm(viewSchema, form));
      const view = await findVisibleView(db, request.actor!, id);
      return reply.seeOther(`/agent/tickets?${view.query ? `${view.query}&` : ''}saved=${id}`, 'views.saved.created');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('saved-views/form', { values: form, errors: error.fields, message: request.t(error.message, error.params), canShare: canShareViews(request.actor!) },
        { status: 422, fragment: 'saved-views/_form' });
    }
  });

  app.get<{ Params: { id: string } }>('/agent/views/:id/edit', async (request, reply) => {
    const view = await findVisibleView(db, request.actor!, idParam(request.params.id));
    if (!canManageView(request.actor!, view)) throw new Forbidden('views.saved.errors.sharedByManagers');
    const values = { name: view.name, query: view.query, shared: view.shared ? '1' : '' };
    return reply.page('saved-views/form', { view, values, errors: {}, canShare: canShareViews(request.actor!) });
  });

  app.post<{ Params: { id: string }; Body: Form }>('/agent/views/:id', async (request, reply) => {
    const id = idParam(request.params.id);
    const form = request.body ?? {};
    try {
      await updateView(db, request.actor!, id, readForm(viewSchema, form));
      return reply.seeOther('/agent/views', 'views.saved.updated');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const view = await findVisibleView(db, request.actor!, id);
      return reply.page('saved-views/form', { view, values: form, errors: error.fields, message: request.t(error.message, error.params), canShare: canShareViews(request.actor!) },
        { status: 422, fragment: 'saved-views/_form' });
    }
  });

  app.post<{ Params: { id: string } }>('/agent/views/:id/delete', async (request, reply) => {
    await deleteView(db, request.actor!, idParam(request.params.id));
    return reply.seeOther('/agent/views', 'views.saved.deleted');
  });
}
