import type { FastifyInstance } from 'fastify';
import { NotFound } from '../lib/errors.js';
import { positiveInt } from '../lib/validate.js';
import { requireRole } from '../plugins/guards.js';
import { listAttachmentsForMessages } from '../attachments/queries.js';
import { decodeCursor, listTicketPage } from './list.js';
import { EMPTY_FILTER } from './list-filter.js';
import { findVisibleTicket, listMessages } from './queries.js';

export default async function portalTicketRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', requireRole('customer'));

  app.get<{ Querystring: { after?: string } }>('/portal', async (request, reply) => {
    const page = await listTicketPage(db, request.actor!, EMPTY_FILTER, decodeCursor('activity', request.query.after));
    return reply.page('tickets/portal-list', { tickets: page.rows, next: page.next },
      { fragment: 'tickets/_portal-table' });
  });

  // Out-of-scope tickets answer 404, exactly like missing ones: a customer learns nothing by guessing ids.
  app.get<{ Params: { id: string } }>('/portal/tickets/:id', async (request, reply) => {
    const id = positiveInt(request.params.id);
    const ticket = id ? await findVisibleTicket(db, request.actor!, id) : undefined;
    if (!ticket) throw new NotFound();
    const messages = await listMessages(db, ticket.id, ['reply', 'update']);
    const files = await listAttachmentsForMessages(db, messages.map((m) => m.id));
    return reply.page('tickets/portal-show', { ticket, messages, files });
  });
}
