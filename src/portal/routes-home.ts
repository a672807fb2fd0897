import type { FastifyInstance } from 'fastify';
import { allow } from '../plugins/guards.js';
import { portalHome } from './home.js';
import { myTickets, parseMyTicketsQuery } from './my-tickets.js';

/** The customer's "My Page" and "My tickets". */
export default async function portalHomeRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('portal.use'));

  app.get('/portal', async (request, reply) => {
    return reply.page('portal/home', await portalHome(db, request.actor!));
  });

  // A GET form: the whole page without JS; htmx swaps only #ticket-table and pushes the URL.
  app.get<{ Querystring: Record<string, string | string[] | undefined> }>('/portal/tickets', async (request, reply) => {
    const data = await myTickets(db, request.actor!, parseMyTicketsQuery(request.query));
    return reply.page('portal/my-tickets', data, { fragment: 'portal/_ticket-table' });
  });
}
