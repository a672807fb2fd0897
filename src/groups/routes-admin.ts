import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Invalid, NotFound } from '../lib/errors.js';
import { parseForm, readForm } from '../lib/form.js';
import { positiveInt } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { createGroup, deleteGroup, updateGroup } from './groups.js';
import { addMember, removeMember } from './members.js';
import { countGroupTickets, findGroup, listCandidates, listGroups, listMembers } from './queries.js';
import { groupSchema, memberSchema } from './schemas.js';

type Form = Record<string, string | undefined>;

type Id = { Params: { id: string } };

/** `/admin/groups`: teams and service providers, restricted or not, and who is in them. */
export default async function adminGroupRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('admin.access'));

  const groupId = (request: FastifyRequest<Id>) => positiveInt(request.params.id) ?? -1;
  async function editPage(reply: FastifyReply, id: number, extra: Record<string, unknown> = {}, status = 200) {
    const group = await findGroup(db, id);
    if (!group) throw new NotFound();
    const [members, candidates] = await Promise.all([listMembers(db, id), listCandidates(db, id)]);
    const values = { name: group.name, description: group.description, isRestricted: String(group.is_restricted) };
    return reply.page('admin/groups-edit', { group, members, candidates, values, errors: {}, memberErrors: {}, ...extra }, { status });
  }

  app.get('/admin/groups', async (_request, reply) => reply.page('admin/groups', { groups: await listGroups(db) }));
  app.get('/admin/groups/new', async (_request, reply) => reply.page('admin/groups-new', { values: {}, errors: {} }));

  app.post<{ Body: Form }>('/admin/groups', async (request, reply) => {
    try {
      const id = await createGroup(db, request.actor!, readForm(groupSchema, request.body));
      return reply.seeOther(`/admin/groups/${id}`, 'admin.groups.created');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('admin/groups-new', { values: request.body ?? {}, errors: error.fields }, { status: 422 });
    }
  });

  app.get<Id>('/admin/groups/:id', async (request, reply) => editPage(reply, groupId(request)));

  app.post<Id & { Body: Form }>('/admin/groups/:id', async (request, reply) => {
    const id = groupId(request);
    try {
      await updateGroup(db, request.actor!, id, readForm(groupSchema, request.body));
      return reply.seeOther(`/admin/groups/${id}`, 'admin.groups.saved');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return editPage(reply, id, { values: request.body ?? {}, errors: error.fields }, 422);
    }
  });

  app.post<Id & { Body: { userId?: string } }>('/admin/groups/:id/members', async (request, reply) => {
    const id = groupId(request);
    try {
      // Joining a group can narrow an agent's view too (only restricted groups): their streams are checked afresh.
      app.live.endStreamsOf(await addMember(db, request.actor!, id, parseForm(memberSchema, request.body)));
      return reply.seeOther(`/admin/groups/${id}`, 'admin.groups.members.added');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return editPage(reply, id, { memberErrors: error.fields }, 422);
    }
  });

  app.post<{ Params: { id: string; userId: string } }>('/admin/groups/:id/members/:userId/delete', async (request, reply) => {
    const id = positiveInt(request.params.id) ?? -1;
    await removeMember(db, request.actor!, id, positiveInt(request.params.userId) ?? -1);
    app.live.endStreamsOf(positiveInt(request.params.userId) ?? -1);
    return reply.seeOther(`/admin/groups/${id}`, 'admin.groups.members.removed');
  });

  app.get<Id>('/admin/groups/:id/delete', async (request, reply) => {
    const group = await findGroup(db, groupId(request));
    if (!group) throw new NotFound();
    return reply.page('admin/groups-delete', { group, tickets: await countGroupTickets(db, group.id) });
  });

  app.post<Id>('/admin/groups/:id/delete', async (request, reply) => {
    await deleteGroup(db, request.actor!, groupId(request));
    return reply.seeOther('/admin/groups', 'admin.groups.deleted');
  });
}
