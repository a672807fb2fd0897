import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Conflict, Invalid, NotFound } from '../lib/errors.js';
import { positiveInt } from '../lib/validate.js';
import { requireRole, STAFF } from '../plugins/guards.js';
import { agentTicketDetails } from '../tickets/details.js';
import { addFleetAssignee, removeFleetAssignee } from './assign.js';
import { offerTicket, withdrawOffer } from './offers.js';

type Params = { id: string; userId: string };
type Form = Record<string, string | undefined>;

function idOf(param: string): number {
  const id = positiveInt(param);
  if (id === null) throw new NotFound();
  return id;
}

/**
 * The Fleet Management tab's actions (the tab itself is in tickets/details). Each verb checks that
 * the actor is a supervisor or admin: an agent's forged POST is refused with 403.
 */
export default async function fleetRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', requireRole(...STAFF));

  /** Run an action, then back to the tab; a refused one re-renders the tab with its message. */
  async function act(request: FastifyRequest<{ Params: Params }>, reply: FastifyReply, flash: string, action: (id: number) => Promise<void>) {
    const id = idOf(request.params.id);
    try {
      await action(id);
    } catch (error) {
      if (!(error instanceof Invalid) && !(error instanceof Conflict)) throw error;
      const details = await agentTicketDetails(db, request.actor!, id, 'fleet', [request.t('common.yes'), request.t('common.no')]);
      return reply.page('tickets/agent-show', { ...details, fleetError: request.t(error.message, error.params) }, { status: error.statusCode });
    }
    return reply.seeOther(`/agent/tickets/${id}?tab=fleet`, flash);
  }

  app.post<{ Params: Params; Body: Form }>('/agent/tickets/:id/fleet/offers', (request, reply) =>
    act(request, reply, 'fleet.flash.offered', (id) => offerTicket(db, request.actor!, id, { userId: request.body?.userId }, app.mail)));

  app.post<{ Params: Params }>('/agent/tickets/:id/fleet/offers/:userId/withdrawal', (request, reply) =>
    act(request, reply, 'fleet.flash.withdrawn', (id) => withdrawOffer(db, request.actor!, id, idOf(request.params.userId))));

  app.post<{ Params: Params; Body: Form }>('/agent/tickets/:id/fleet/assignees', (request, reply) =>
    act(request, reply, 'fleet.flash.assigned', (id) => addFleetAssignee(db, request.actor!, id, { userId: request.body?.userId }, app.mail)));

  app.post<{ Params: Params }>('/agent/tickets/:id/fleet/assignees/:userId/removal', (request, reply) =>
    act(request, reply, 'fleet.flash.unassigned', (id) => removeFleetAssignee(db, request.actor!, id, idOf(request.params.userId), app.mail)));
}
