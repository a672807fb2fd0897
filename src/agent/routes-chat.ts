import type { FastifyInstance } from 'fastify';
import { DomainError, NotFound, TooManyRequests } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { idParam } from '../lib/validate.js';
import { statusOf } from '../plugins/errors.js';
import { allow } from '../plugins/guards.js';
import { agentTicketDetails, parseTab } from './ticket-page.js';
import { findVisibleTicket } from '../tickets/queries.js';
import { postChatLine } from '../chat/chat.js';
import { chatLineSchema } from '../chat/schemas.js';
import { streamToStaff } from '../chat/live.js';

type Form = Record<string, string | undefined>;

/** The agent's side of the messenger, the live stream of the details view, and "is replying" pings. */
export default async function agentChatRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('desk.use'));

  app.post<{ Params: { id: string }; Body: Form }>('/agent/tickets/:id/chat', async (request, reply) => {
    const id = idParam(request.params.id);
    const form = request.body ?? {};
    const tab = parseTab(form.tab);
    try {
      await postChatLine(db, request.actor!, id, parseForm(chatLineSchema, form));
    } catch (error) {
      if (!(error instanceof DomainError) || error instanceof NotFound) throw error;
      if (error instanceof TooManyRequests) reply.header('Retry-After', String(error.retryAfterSeconds));
      const details = await agentTicketDetails(db, request.actor!, id, tab, [request.t('common.yes'), request.t('common.no')]);
      const chat = { values: form, error: request.t(error.message, error.params) };
      return reply.page('tickets/agent-show', { ...details, chat, present: app.live.presence.list(id, request.actor!.id) }, { status: statusOf(error) });
    }
    return reply.seeOther(`/agent/tickets/${id}${tab === 'general' ? '' : `?tab=${tab}`}`);
  });

  // Server-sent events: chat lines, presence, stale-form notices. Out of scope answers 404 like any page.
  app.get<{ Params: { id: string } }>('/agent/tickets/:id/live', async (request, reply) => {
    const id = idParam(request.params.id);
    if (!(await findVisibleTicket(db, request.actor!, id))) throw new NotFound();
    streamToStaff(request, reply, id);
  });

  app.post<{ Params: { id: string } }>('/agent/tickets/:id/presence', async (request, reply) => {
    const id = idParam(request.params.id);
    if (!(await findVisibleTicket(db, request.actor!, id))) throw new NotFound();
    app.live.presence.typing(id, request.actor!.id, request.actor!.name);
    return reply.code(204).send();
  });
}
