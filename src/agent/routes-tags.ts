import type { FastifyInstance } from 'fastify';
import { Invalid } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { idParam } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { ticketTagSchema } from '../tags/schemas.js';
import { changeTicketTag } from '../tags/tags.js';
import { agentTicketDetails, parseTab } from './ticket-page.js';

type Form = Record<string, string | undefined>;

/**
 * Tags on the agent's ticket page: add one (typed, with the desk's tags suggested), remove one (a
 * button per tag). Back to the same tab; a refusal shows the page again with the tag as typed.
 */
export default async function ticketTagRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('desk.use'));

  for (const [path, change] of [['tags', 'add'], ['tags/remove', 'remove']] as const) {
    app.post<{ Params: { id: string }; Body: Form }>(`/agent/tickets/:id/${path}`, async (request, reply) => {
      const id = idParam(request.params.id);
      const form = request.body ?? {};
      const tab = parseTab(form.tab);
      try {
        const { tag } = parseForm(ticketTagSchema, form);
        await changeTicketTag(db, request.actor!, id, { [change]: tag });
        return reply.seeOther(`/agent/tickets/${id}${tab === 'general' ? '' : `?tab=${tab}`}`, change === 'add' ? 'tags.added' : 'tags.removed');
      } catch (error) {
        if (!(error instanceof Invalid)) throw error;
        const details = await agentTicketDetails(db, request.actor!, id, tab, [request.t('common.yes'), request.t('common.no')]);
        const message = request.t(error.message, { tag: form.tag ?? '', ...error.params });
        return reply.page('tickets/agent-show', { ...details, tagForm: { errors: error.fields, message, values: { tag: form.tag ?? '' } } }, { status: 422 });
      }
    });
  }
}
