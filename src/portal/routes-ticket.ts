import type { FastifyInstance } from 'fastify';
import { listAttachmentsForMessages } from '../attachments/queries.js';
import { NotFound } from '../lib/errors.js';
import { positiveInt } from '../lib/validate.js';
import { requireRole } from '../plugins/guards.js';
import { findVisibleTicket, listMessages } from '../tickets/queries.js';

/** One ticket as its customer sees it. */
export default async function portalTicketRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', requireRole('customer'));

  // Out-of-scope tickets answer 404, exactly like missing ones: a customer learns nothing by guessing ids.
  app.get<{ Params: { id: string } }>('/portal/tickets/:id', async (request, reply) => {
    const id = positiveInt(request.params.id);
    const ticket = id ? await findVisibleTicket(db, request.actor!, id) : undefined;
    if (!ticket) throw new NotFound();
    const messages = await listMessages(db, ticket.id, ['reply', 'update']);
    const files = await listAttachmentsForMessages(db, messages.map((m) => m.id));
    return reply.page('portal/ticket', { ticket, messages, files });
  });
}
