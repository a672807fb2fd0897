import type { FastifyInstance } from 'fastify';
import { Invalid } from '../lib/errors.js';
import { idParam } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { parseForm } from '../lib/form.js';
import { openChildrenSchema } from '../links/schemas.js';
import { changeProperty } from '../tickets/properties.js';
import { parsePropertyForm } from './schemas.js';
import { agentTicketDetails, parseTab } from './ticket-page.js';

type Form = Record<string, string | undefined>;

/**
 * The side panel of the agent's ticket page: one property per small form (htmx sends it when it
 * changes; without JavaScript its "Save" button does). The page comes back on the tab it was sent
 * from; a refusal shows the page again with the panel's message and the value as chosen.
 */
export default async function agentPanelRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('desk.use'));

  app.post<{ Params: { id: string }; Body: Form }>('/agent/tickets/:id/properties', async (request, reply) => {
    const id = idParam(request.params.id);
    const form = request.body ?? {};
    const tab = parseTab(form.tab);
    try {
      await changeProperty(db, request.actor!, id, parsePropertyForm(form, request.actor!.id), request.t,
        { openChildrenConfirmed: parseForm(openChildrenSchema, form).confirmOpenChildren });
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const details = await agentTicketDetails(db, request.actor!, id, tab, [request.t('common.yes'), request.t('common.no')]);
      const property = typeof form.property === 'string' ? form.property : '';
      return reply.page('tickets/agent-show', {
        ...details, panelForm: { errors: error.fields, message: request.t(error.message, error.params), values: { [property]: form[property] ?? '' } },
        openChildren: error.fields.confirmOpenChildren ? error.params : undefined,
      }, { status: 422 });
    }
    return reply.seeOther(`/agent/tickets/${id}${tab === 'general' ? '' : `?tab=${tab}`}`, 'tickets.propertySaved');
  });
}
