import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Conflict, NotFound } from '../lib/errors.js';
import { positiveInt } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { acceptOffer, declineOffer } from './offers.js';
import { pendingOffersFor } from './queries.js';

type Params = { id: string };

/** The Offers inbox: a staff member's open ticket offers, each with Accept and Decline. */
export default async function offerInboxRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('desk.use'));

  async function inbox(request: FastifyRequest, reply: FastifyReply, extra: { status?: number; offerError?: string } = {}) {
    const offers = await pendingOffersFor(db, request.actor!.id);
    return reply.page('fleet/offers', { offers, offerError: extra.offerError ?? null }, { status: extra.status, fragment: 'fleet/_offers' });
  }

  app.get('/agent/offers', (request, reply) => inbox(request, reply));

  /** An offer that can no longer be answered (withdrawn, expired, already full): the inbox again, saying why. */
  async function answer(request: FastifyRequest<{ Params: Params }>, reply: FastifyReply, flash: string, action: (id: number) => Promise<void>) {
    const id = positiveInt(request.params.id);
    if (id === null) throw new NotFound();
    try {
      await action(id);
    } catch (error) {
      if (!(error instanceof Conflict)) throw error;
      return inbox(request, reply, { status: 409, offerError: request.t(error.message, { id: String(id) }) });
    }
    return reply.seeOther('/agent/offers', flash);
  }

  app.post<{ Params: Params }>('/agent/offers/:id/acceptance', (request, reply) =>
    answer(request, reply, 'offers.flash.accepted', (id) => acceptOffer(db, request.actor!, id)));

  app.post<{ Params: Params }>('/agent/offers/:id/decline', (request, reply) =>
    answer(request, reply, 'offers.flash.declined', (id) => declineOffer(db, request.actor!, id)));
}
