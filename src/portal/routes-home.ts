import type { FastifyInstance } from 'fastify';
import { requireRole } from '../plugins/guards.js';
import { decodeCursor, listTicketPage } from '../tickets/list.js';
import { EMPTY_FILTER } from '../tickets/list-filter.js';

/** The customer's "My Page" and "My tickets". */
export default async function portalHomeRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', requireRole('customer'));

  app.get<{ Querystring: { after?: string } }>('/portal', async (request, reply) => {
    const page = await listTicketPage(db, request.actor!, EMPTY_FILTER, decodeCursor('activity', request.query.after));
    return reply.page('portal/home', { tickets: page.rows, next: page.next }, { fragment: 'portal/_ticket-table' });
  });
}
