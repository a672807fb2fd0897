import type { FastifyInstance } from 'fastify';
import { DomainError, NotFound } from '../lib/errors.js';
import { positiveInt } from '../lib/validate.js';
import { requireRole } from '../plugins/guards.js';
import { portalTicketPage } from '../portal/ticket-page.js';
import { chatTicket, postChatLine } from './chat.js';
import { streamToCustomer } from './live.js';

type Form = Record<string, string | undefined>;

function ticketId(param: string): number {
  const id = positiveInt(param);
  if (id === null) throw new NotFound();
  return id;
}

/** The customer's side of the messenger: write a line, and the stream of new lines. */
export default async function portalChatRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', requireRole('customer'));

  app.post<{ Params: { id: string }; Body: Form }>('/portal/tickets/:id/chat', async (request, reply) => {
    const id = ticketId(request.params.id);
    const form = request.body ?? {};
    try {
      await postChatLine(db, app.live, request.actor!, id, form);
    } catch (error) {
      if (!(error instanceof DomainError) || error instanceof NotFound) throw error;
      const data = await portalTicketPage(db, request.actor!, id, request.t);
      return reply.page('portal/ticket', { ...data, chat: { values: form, error: request.t(error.message, error.params) } }, { status: error.statusCode });
    }
    return reply.seeOther(`/portal/tickets/${id}`);
  });

  app.get<{ Params: { id: string } }>('/portal/tickets/:id/live', async (request, reply) => {
    const id = ticketId(request.params.id);
    await chatTicket(db, request.actor!, id);
    streamToCustomer(request, reply, id);
  });
}
