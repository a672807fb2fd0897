import type { FastifyInstance } from 'fastify';
import { DomainError, NotFound } from '../lib/errors.js';
import { positiveInt } from '../lib/validate.js';
import { requireRole, STAFF } from '../plugins/guards.js';
import { agentTicketDetails, parseTab } from '../tickets/details.js';
import { findVisibleTicket } from '../tickets/queries.js';
import { postChatLine } from './chat.js';
import { streamToStaff } from './live.js';

type Form = Record<string, string | undefined>;

function ticketId(param: string): number {
  const id = positiveInt(param);
  if (id === null) throw new NotFound();
  return id;
}

/** The agent's side of the messenger, the live stream of the details view, and "is replying" pings. */
export default async function agentChatRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', requireRole(...STAFF));

  app.post<{ Params: { id: string }; Body: Form }>('/agent/tickets/:id/chat', async (request, reply) => {
    const id = ticketId(request.params.id);
    const form = request.body ?? {};
    const tab = parseTab(form.tab);
    try {
      await postChatLine(db, app.live, request.actor!, id, form);
    } catch (error) {
      if (!(error instanceof DomainError) || error instanceof NotFound) throw error;
      const details = await agentTicketDetails(db, request.actor!, id, tab, [request.t('common.yes'), request.t('common.no')]);
      const chat = { values: form, error: request.t(error.message, error.params) };
      return reply.page('tickets/agent-show', { ...details, chat, present: app.live.presence.list(id, request.actor!.id) }, { status: error.statusCode });
    }
    return reply.seeOther(`/agent/tickets/${id}${tab === 'general' ? '' : `?tab=${tab}`}`);
  });

  // Server-sent events: chat lines, presence, stale-form notices. Out of scope answers 404 like any page.
  app.get<{ Params: { id: string } }>('/agent/tickets/:id/live', async (request, reply) => {
    const id = ticketId(request.params.id);
    if (!(await findVisibleTicket(db, request.actor!, id))) throw new NotFound();
    streamToStaff(request, reply, id);
  });

  app.post<{ Params: { id: string } }>('/agent/tickets/:id/presence', async (request, reply) => {
    const id = ticketId(request.params.id);
    if (!(await findVisibleTicket(db, request.actor!, id))) throw new NotFound();
    app.live.presence.typing(id, request.actor!.id, request.actor!.name);
    return reply.code(204).send();
  });
}
