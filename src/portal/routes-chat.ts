import type { FastifyInstance } from 'fastify';
import { DomainError, NotFound, TooManyRequests } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { idParam } from '../lib/validate.js';
import { statusOf } from '../plugins/errors.js';
import { allow } from '../plugins/guards.js';
import { chatTicket, postChatLine } from '../chat/chat.js';
import { chatLineSchema } from '../chat/schemas.js';
import { streamToCustomer } from '../chat/live.js';
import { portalTicketPage } from './ticket-page.js';

type Form = Record<string, string | undefined>;

/** The customer's side of the messenger: write a line, and the stream of new lines. */
export default async function portalChatRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('portal.use'));

  app.post<{ Params: { id: string }; Body: Form }>('/portal/tickets/:id/chat', async (request, reply) => {
    const id = idParam(request.params.id);
    const form = request.body ?? {};
    try {
      await postChatLine(db, request.actor!, id, parseForm(chatLineSchema, form));
    } catch (error) {
      if (!(error instanceof DomainError) || error instanceof NotFound) throw error;
      if (error instanceof TooManyRequests) reply.header('Retry-After', String(error.retryAfterSeconds));
      const data = await portalTicketPage(db, request.actor!, id, request.t);
      return reply.page('portal/ticket', { ...data, chat: { values: form, error: request.t(error.message, error.params) } }, { status: statusOf(error) });
    }
    return reply.seeOther(`/portal/tickets/${id}`);
  });

  app.get<{ Params: { id: string } }>('/portal/tickets/:id/live', async (request, reply) => {
    const id = idParam(request.params.id);
    await chatTicket(db, request.actor!, id);
    streamToCustomer(request, reply, id);
  });
}
