import type { FastifyInstance } from 'fastify';
import { Forbidden, Invalid } from '../lib/errors.js';
import { statusOf } from '../plugins/errors.js';
import { allow } from '../plugins/guards.js';
import { bulkUpdateTickets } from '../tickets/bulk.js';
import { listAddress, renderAgentList, type ListQuery } from './list-page.js';
import { parseBulkForm } from '../tickets/schemas.js';

type BulkForm = Record<string, string | string[] | undefined>;

/**
 * The list's bulk form: change the selected tickets, then back to the same list (filters, page)
 * with "N tickets updated"; with htmx only the table is swapped. A refusal changes nothing and
 * shows the same list with the message and the choices kept (403 out of scope, 422 invalid).
 */
export default async function bulkRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('desk.use'));

  app.post<{ Body: BulkForm }>('/agent/tickets/bulk', async (request, reply) => {
    const form = request.body ?? {};
    const back: ListQuery = Object.fromEntries(new URLSearchParams(typeof form.back === 'string' ? form.back : ''));
    const { here } = listAddress(back);
    try {
      const count = await bulkUpdateTickets(db, request.actor!, parseBulkForm(form, request.actor!.id), request.t);
      return reply.seeOther(`/agent/tickets${here.size ? `?${here}` : ''}`, 'bulk.updated', { params: { count }, target: '#ticket-table' });
    } catch (error) {
      if (!(error instanceof Forbidden || error instanceof Invalid)) throw error;
      const fields = error instanceof Invalid ? Object.values(error.fields).filter((key) => key !== error.message) : [];
      const outcome = { error: request.t(error.message, error.params), fields: fields.map((key) => request.t(key)), values: form };
      return renderAgentList(db, request, reply, back, outcome, statusOf(error));
    }
  });
}
