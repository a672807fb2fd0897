import type { FastifyInstance } from 'fastify';
import { Invalid, Malformed, NotFound } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { idParam, positiveInt } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { addMember, removeMember, setManager } from './members.js';
import { createOrganization, organizationValues, updateOrganization } from './organizations.js';
import { findOrganization, listMembers, listOrganizations } from './queries.js';
import { managerSchema, memberSchema, organizationSchema } from './schemas.js';

type Form = Record<string, string | undefined>;
type Params = { id: string; userId?: string };

/** `/admin/organizations`: customer companies, their domains, what members share, who manages. */
export default async function organizationRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('admin.access'));

  /** The organisation's page: its form (as stored, or as typed with errors) and its members. */
  async function orgPage(id: number, form?: { values: Form; errors: Record<string, string>; message?: string }, memberErrors: Record<string, string> = {}) {
    const org = await findOrganization(db, id);
    if (!org) throw new NotFound();
    return { org, values: form?.values ?? organizationValues(org), errors: form?.errors ?? {}, message: form?.message,
      memberValues: {}, memberErrors, ...await listMembers(db, id) };
  }

  app.get<{ Querystring: Form }>('/admin/organizations', async (request, reply) => {
    const q = (request.query.q ?? '').trim().slice(0, 100);
    const after = request.query.after ? positiveInt(request.query.after) : null;
    if (request.query.after && after === null) throw new Malformed('errors.badCursor');
    const { organizations, next } = await listOrganizations(db, q, after);
    const nextUrl = next === null ? null : `/admin/organizations?${new URLSearchParams({ ...(q ? { q } : {}), after: String(next) })}`;
    return reply.page('admin/organizations', { organizations, q, nextUrl }, { fragment: 'admin/organizations-table' });
  });

  app.get('/admin/organizations/new', async (_request, reply) => {
    return reply.page('admin/organizations-new', { values: {}, errors: {} });
  });

  app.post<{ Body: Form }>('/admin/organizations', async (request, reply) => {
    const form = request.body ?? {};
    try {
      const id = await createOrganization(db, request.actor!, parseForm(organizationSchema, form));
      return reply.seeOther(`/admin/organizations/${id}`, 'admin.orgs.created');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('admin/organizations-new', { values: form, errors: error.fields, message: request.t(error.message, error.params) },
        { status: 422, fragment: 'admin/organizations-form' });
    }
  });

  app.get<{ Params: Params }>('/admin/organizations/:id', async (request, reply) => {
    return reply.page('admin/organizations-edit', await orgPage(idParam(request.params.id)));
  });

  app.post<{ Params: Params; Body: Form }>('/admin/organizations/:id', async (request, reply) => {
    const id = idParam(request.params.id);
    const form = request.body ?? {};
    try {
      await updateOrganization(db, request.actor!, id, parseForm(organizationSchema, form));
      return reply.seeOther(`/admin/organizations/${id}`, 'admin.orgs.saved');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const data = await orgPage(id, { values: form, errors: error.fields, message: request.t(error.message, error.params) });
      return reply.page('admin/organizations-edit', data, { status: 422, fragment: 'admin/organizations-form' });
    }
  });

  app.post<{ Params: Params; Body: Form }>('/admin/organizations/:id/members', async (request, reply) => {
    const id = idParam(request.params.id);
    try {
      app.live.endStreamsOf(await addMember(db, request.actor!, id, parseForm(memberSchema, request.body)));
      return reply.seeOther(`/admin/organizations/${id}#members`, 'admin.orgs.members.added');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const data = await orgPage(id, undefined, error.fields);
      return reply.page('admin/organizations-edit', { ...data, memberValues: { email: request.body?.email ?? '' } }, { status: 422 });
    }
  });

  app.post<{ Params: Params; Body: Form }>('/admin/organizations/:id/members/:userId/manager', async (request, reply) => {
    const id = idParam(request.params.id);
    const manager = await setManager(db, request.actor!, id, idParam(request.params.userId), parseForm(managerSchema, request.body));
    app.live.endStreamsOf(idParam(request.params.userId));
    return reply.seeOther(`/admin/organizations/${id}#members`, manager ? 'admin.orgs.members.managerOn' : 'admin.orgs.members.managerOff');
  });

  app.post<{ Params: Params }>('/admin/organizations/:id/members/:userId/remove', async (request, reply) => {
    const id = idParam(request.params.id);
    await removeMember(db, request.actor!, id, idParam(request.params.userId));
    app.live.endStreamsOf(idParam(request.params.userId));
    return reply.seeOther(`/admin/organizations/${id}#members`, 'admin.orgs.members.removed');
  });
}
