import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Conflict, Invalid } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { idParam } from '../lib/validate.js';
import { statusOf } from '../plugins/errors.js';
import { allow } from '../plugins/guards.js';
import { agentTicketDetails } from './ticket-page.js';
import { addFleetAssignee, removeFleetAssignee } from '../fleet/assign.js';
import { offerTicket, withdrawOffer } from '../fleet/offers.js';
import { fleetPersonSchema } from '../fleet/schemas.js';

type Params = { id: string; userId: string };
type Form = Record<string, string | undefined>;

/**
 * The Fleet Management tab's actions (the tab itself is assembled in agent/ticket-page). Each verb checks that
 * the actor is a supervisor or admin: an agent's forged POST is refused with 403.
 */
export default async function fleetRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('desk.use'));

  /** Run an action, then back to the tab; a refused one re-renders the tab with its message. */
  async function act(request: FastifyRequest<{ Params: Params }>, reply: FastifyReply, flash: string, action: (id: number) => Promise<void>) {
    const id = idParam(request.params.id);
    try {
      await action(id);
    } catch (error) {
      if (!(error instanceof Invalid) && !(error instanceof Conflict)) throw error;
      const details = await agentTicketDetails(db, request.actor!, id, 'fleet', [request.t('common.yes'), request.t('common.no')]);
      return reply.page('tickets/agent-show', { ...details, fleetError: request.t(error.message, error.params) }, { status: statusOf(error) });
    }
    return reply.seeOther(`/agent/tickets/${id}?tab=fleet`, flash);
  }

  app.post<{ Params: Params; Body: Form }>('/agent/tickets/:id/fleet/offers', (request, reply) =>
    act(request, reply, 'fleet.flash.offered', (id) => offerTicket(db, request.actor!, id, parseForm(fleetPersonSchema, request.body))));

  app.post<{ Params: Params }>('/agent/tickets/:id/fleet/offers/:userId/withdrawal', (request, reply) =>
    act(request, reply, 'fleet.flash.withdrawn', (id) => withdrawOffer(db, request.actor!, id, idParam(request.params.userId))));

  app.post<{ Params: Params; Body: Form }>('/agent/tickets/:id/fleet/assignees', (request, reply) =>
    act(request, reply, 'fleet.flash.assigned', (id) => addFleetAssignee(db, request.actor!, id, parseForm(fleetPersonSchema, request.body))));

  app.post<{ Params: Params }>('/agent/tickets/:id/fleet/assignees/:userId/removal', (request, reply) =>
    act(request, reply, 'fleet.flash.unassigned', (id) => removeFleetAssignee(db, request.actor!, id, idParam(request.params.userId))));
}
