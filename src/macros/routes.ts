import type { FastifyInstance } from 'fastify';
import { Forbidden, Invalid } from '../lib/errors.js';
import { idParam } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { can } from '../policy/can.js';
import { listFilterChoices } from '../tickets/queries.js';
import { PRIORITIES } from '../tickets/tickets.js';
import type { Actor } from '../users/actor.js';
import {
  createMacro, deleteMacro, findVisibleMacro, listMacros, MACRO_KINDS, MACRO_PLACEHOLDERS, parseActions, updateMacro,
} from './macros.js';
import { actionFields, readMacroForm } from './schemas.js';
import type { Macro } from './schema.js';

type Form = Record<string, string | undefined>;

/**
 * `/agent/macros`: the macros a person sees (their own, the shared ones offered to them; supervisors
 * and admins every shared one), searched by name or text; create, edit, duplicate (a filled-in new form), delete. Who may
 * change which is the policy's `macro.manage`.
 */
export default async function macroRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('macros.use'));

  async function formData(actor: Actor) {
    const choices = await listFilterChoices(db);
    return {
      canShare: can(actor, 'macros.share'), kinds: MACRO_KINDS, priorities: PRIORITIES, placeholders: MACRO_PLACEHOLDERS,
      statuses: choices.statuses, types: choices.types, groups: choices.groups, agents: choices.agents,
    };
  }

  const valuesOf = (macro: Macro): Form => ({
    name: macro.name, body: macro.body, kind: macro.kind, shared: macro.shared ? '1' : '', groupId: macro.group_id === null ? '' : String(macro.group_id),
    ...actionFields(parseActions(macro.actions)),
  });

  app.get<{ Querystring: Form }>('/agent/macros', async (request, reply) => {
    const q = typeof request.query.q === 'string' ? request.query.q.slice(0, 200) : '';
    const macros = await listMacros(db, request.actor!, q);
    return reply.page('macros/index', { macros, q }, { fragment: 'macros/_table' });
  });

  app.get('/agent/macros/new', async (request, reply) => {
    const values = { name: '', body: '', kind: 'reply', shared: '', groupId: '' };
    return reply.page('macros/form', { values, errors: {}, ...(await formData(request.actor!)) });
  });

  app.post<{ Body: Form }>('/agent/macros', async (request, reply) => {
    const form = request.body ?? {};
    const { value, errors } = readMacroForm(form);
    try {
      await createMacro(db, request.actor!, value, errors);
      return reply.seeOther('/agent/macros', 'macros.created');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('macros/form', { values: form, errors: error.fields, message: request.t(error.message, error.params), ...(await formData(request.actor!)) },
        { status: 422, fragment: 'macros/_form' });
    }
  });

  app.get<{ Params: { id: string } }>('/agent/macros/:id/edit', async (request, reply) => {
    const macro = await findVisibleMacro(db, request.actor!, idParam(request.params.id));
    if (!can(request.actor!, 'macro.manage', macro)) throw new Forbidden('macros.errors.sharedByManagers');
    return reply.page('macros/form', { macro, values: valuesOf(macro), errors: {}, ...(await formData(request.actor!)) });
  });

  app.post<{ Params: { id: string }; Body: Form }>('/agent/macros/:id', async (request, reply) => {
    const id = idParam(request.params.id);
    const form = request.body ?? {};
    const { value, errors } = readMacroForm(form);
    try {
      await updateMacro(db, request.actor!, id, value, errors);
      return reply.seeOther('/agent/macros', 'macros.updated');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const macro = await findVisibleMacro(db, request.actor!, id);
      return reply.page('macros/form', { macro, values: form, errors: error.fields, message: request.t(error.message, error.params), ...(await formData(request.actor!)) },
        { status: 422, fragment: 'macros/_form' });
    }
  });

  // Duplicate: the new-macro form filled with a copy (saved as a new macro; shared again only by those who may share).
  app.get<{ Params: { id: string } }>('/agent/macros/:id/duplicate', async (request, reply) => {
    const source = await findVisibleMacro(db, request.actor!, idParam(request.params.id));
    const data = await formData(request.actor!);
    const values = { ...valuesOf(source), name: request.t('macros.copyName', { name: source.name }).slice(0, 120) };
    if (!data.canShare) Object.assign(values, { shared: '', groupId: '' });
    return reply.page('macros/form', { values, errors: {}, ...data });
  });

  app.post<{ Params: { id: string } }>('/agent/macros/:id/delete', async (request, reply) => {
    await deleteMacro(db, request.actor!, idParam(request.params.id));
    return reply.seeOther('/agent/macros', 'macros.deleted');
  });
}
