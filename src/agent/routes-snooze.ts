import type { FastifyInstance } from 'fastify';
import { Invalid } from '../lib/errors.js';
import { idParam } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { viewerZone } from '../plugins/views.js';
import { readSnooze } from '../snooze/schemas.js';
import { snoozeFor, unsnooze } from '../snooze/snooze.js';
import { agentTicketDetails, parseTab } from './ticket-page.js';

type Form = Record<string, string | undefined>;

/**
 * "Remind me" on the agent's ticket page (issue 20): a preset (worked out in the agent's zone) or a
 * date and time; and "Unsnooze". Back to the same tab; a refused time shows the page again, 422,
 * with the time as typed.
 */
export default async function ticketSnoozeRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('desk.use'));

  const back = (id: number, tab: string) => `/agent/tickets/${id}${tab === 'general' ? '' : `?tab=${tab}`}`;

  app.post<{ Params: { id: string }; Body: Form }>('/agent/tickets/:id/snooze', async (request, reply) => {
    const id = idParam(request.params.id);
    const form = request.body ?? {};
    const tab = parseTab(form.tab);
    try {
      const { until } = readSnooze(form, await viewerZone(request));
      await snoozeFor(db, request.actor!, id, until);
      return reply.seeOther(back(id, tab), 'snooze.done');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const details = await agentTicketDetails(db, request.actor!, id, tab, [request.t('common.yes'), request.t('common.no')]);
      const message = request.t(error.message, error.params);
      return reply.page('tickets/agent-show', { ...details, snoozeForm: { errors: error.fields, message, values: { until: form.until ?? '' } } }, { status: 422 });
    }
  });

  app.post<{ Params: { id: string }; Body: Form }>('/agent/tickets/:id/unsnooze', async (request, reply) => {
    const id = idParam(request.params.id);
    const tab = parseTab((request.body ?? {}).tab);
    await unsnooze(db, request.actor!, id);
    return reply.seeOther(back(id, tab), 'snooze.undone');
  });
}
