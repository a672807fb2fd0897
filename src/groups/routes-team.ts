import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Actor } from '../users/actor.js';
import { Invalid } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { positiveInt } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { addMember, removeMember } from './members.js';
import { listCandidates, listGroups, listMembers } from './queries.js';
import { memberSchema } from './schemas.js';

type Params = { Params: { id: string } };

/**
 * `/agent/team`: supervisors (and admins) manage the membership of the groups they belong to.
 * Creating groups and the restricted flag stay in the admin area.
 */
export default async function teamRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('team.manage'));

  async function teamPage(reply: FastifyReply, actor: Actor, extra: Record<string, unknown> = {}, status = 200) {
    const groups = await listGroups(db, actor.id);
    const teams = await Promise.all(groups.map(async (group) => ({
      ...group, members: await listMembers(db, group.id), candidates: await listCandidates(db, group.id),
    })));
    return reply.page('team/index', { teams, errorGroupId: null, memberErrors: {}, ...extra }, { status });
  }

  app.get('/agent/team', async (request, reply) => teamPage(reply, request.actor!));

  app.post<Params & { Body: { userId?: string } }>('/agent/team/:id/members', async (request, reply) => {
    const id = positiveInt(request.params.id) ?? -1;
    try {
      // Joining a group can narrow an agent's view too (only restricted groups): their streams are checked afresh.
      app.live.endStreamsOf(await addMember(db, request.actor!, id, parseForm(memberSchema, request.body)));
      return reply.seeOther('/agent/team', 'team.added');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return teamPage(reply, request.actor!, { errorGroupId: id, memberErrors: error.fields }, 422);
    }
  });

  app.post<{ Params: { id: string; userId: string } }>('/agent/team/:id/members/:userId/delete', async (request, reply) => {
    await removeMember(db, request.actor!, positiveInt(request.params.id) ?? -1, positiveInt(request.params.userId) ?? -1);
    app.live.endStreamsOf(positiveInt(request.params.userId) ?? -1);
    return reply.seeOther('/agent/team', 'team.removed');
  });
}
