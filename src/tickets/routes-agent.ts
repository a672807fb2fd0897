import type { FastifyInstance } from 'fastify';
import { decodeCursor, encodeCursor } from '../lib/cursor.js';
import { Invalid, NotFound } from '../lib/errors.js';
import { positiveInt } from '../lib/validate.js';
import { requireRole, STAFF } from '../plugins/guards.js';
import { findVisibleTicket, listMessages, listTicketTypes, listTickets } from './queries.js';
import { openTicketForCustomer, PRIORITIES } from './tickets.js';

type Form = Record<string, string | undefined>;

export default async function agentTicketRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', requireRole(...STAFF));

  app.get('/agent', async (_request, reply) => reply.seeOther('/agent/tickets'));

  app.get<{ Querystring: Form }>('/agent/tickets', async (request, reply) => {
    const page = await listTickets(db, request.actor!, { after: decodeCursor(request.query.after) });
    return reply.page('tickets/agent-list', { tickets: page.rows, next: encodeCursor(page.next) },
      { fragment: 'tickets/_agent-table' });
  });

  app.get('/agent/tickets/new', async (_request, reply) => {
    return reply.page('tickets/new', { values: { priority: 'normal' }, errors: {}, ...(await formChoices()) });
  });

  app.post<{ Body: Form }>('/agent/tickets', async (request, reply) => {
    const form = request.body ?? {};
    try {
      const id = await openTicketForCustomer(db, request.actor!, form);
      return reply.seeOther(`/agent/tickets/${id}`, 'tickets.created');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('tickets/new', { values: form, errors: error.fields, ...(await formChoices()) },
        { status: 422, fragment: 'tickets/_new-form' });
    }
  });

  app.get<{ Params: { id: string } }>('/agent/tickets/:id', async (request, reply) => {
    const id = positiveInt(request.params.id);
    const ticket = id ? await findVisibleTicket(db, request.actor!, id) : undefined;
    if (!ticket) throw new NotFound();
    const messages = await listMessages(db, ticket.id, { includeInternal: true });
    return reply.page('tickets/agent-show', { ticket, messages });
  });

  async function formChoices() {
    return { types: await listTicketTypes(db), priorities: PRIORITIES };
  }
}
