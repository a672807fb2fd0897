import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Invalid, NotFound } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { idParam } from '../lib/validate.js';
import { addTicketLink, mergeTicketInto, removeTicketLink, splitTicketAt } from '../links/links.js';
import { mergeCandidates } from '../links/queries.js';
import { linkSchema, mergeSchema, splitSchema, unlinkSchema } from '../links/schemas.js';
import { allow } from '../plugins/guards.js';
import { findVisibleTicket } from '../tickets/queries.js';
import { agentTicketDetails, parseTab } from './ticket-page.js';

type Form = Record<string, string | undefined>;

/**
 * Merge, split and link on the agent's ticket page (issue 20). Merge has a page of its own (the
 * ticket's number typed, or found by searching; tickets of two brands need a ticked box); split is a
 * button on each message; links are a small form in the side panel. Every form posts and answers
 * 303, or the page again with the message and the values as typed (422).
 */
export default async function ticketLinkRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('desk.use'));

  const mergePage = async (request: FastifyRequest, reply: FastifyReply, id: number, values: Form, error?: Invalid) => {
    const ticket = await findVisibleTicket(db, request.actor!, id);
    if (!ticket) throw new NotFound();
    const q = typeof values.q === 'string' ? values.q.slice(0, 200) : '';
    const candidates = await mergeCandidates(db, request.actor!, id, q);
    const message = error ? request.t(error.message, error.params) : undefined;
    return reply.page('links/merge', { ticket, q, candidates, values, errors: error?.fields ?? {}, message,
      brandWarning: error?.fields.acrossBrands !== undefined }, error ? { status: 422 } : undefined);
  };

  app.get<{ Params: { id: string }; Querystring: Form }>('/agent/tickets/:id/merge', async (request, reply) => {
    const id = idParam(request.params.id);
    return mergePage(request, reply, id, { q: request.query.q ?? '', other: request.query.other ?? '' });
  });

  app.post<{ Params: { id: string }; Body: Form }>('/agent/tickets/:id/merge', async (request, reply) => {
    const id = idParam(request.params.id);
    const form = request.body ?? {};
    if (!(await findVisibleTicket(db, request.actor!, id))) throw new NotFound();
    try {
      await mergeTicketInto(db, request.actor!, id, parseForm(mergeSchema, form), (survivorId) => request.t('links.merge.note', { id: String(survivorId) }));
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return mergePage(request, reply, id, form, error);
    }
    return reply.seeOther(`/agent/tickets/${id}`, 'links.merge.done');
  });

  app.post<{ Params: { id: string }; Body: Form }>('/agent/tickets/:id/split', async (request, reply) => {
    const id = idParam(request.params.id);
    const form = request.body ?? {};
    try {
      const { messageId } = parseForm(splitSchema, form);
      const created = await splitTicketAt(db, request.actor!, id, messageId);
      return reply.seeOther(`/agent/tickets/${created}`, 'links.split.done');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const details = await agentTicketDetails(db, request.actor!, id, 'general', [request.t('common.yes'), request.t('common.no')]);
      return reply.page('tickets/agent-show', { ...details, linkForm: { errors: {}, values: {}, message: request.t(error.message, error.params) } }, { status: 422 });
    }
  });

  for (const [path, verb] of [['links', 'add'], ['links/remove', 'remove']] as const) {
    app.post<{ Params: { id: string }; Body: Form }>(`/agent/tickets/:id/${path}`, async (request, reply) => {
      const id = idParam(request.params.id);
      const form = request.body ?? {};
      const tab = parseTab(form.tab);
      if (!(await findVisibleTicket(db, request.actor!, id))) throw new NotFound();
      try {
        if (verb === 'add') await addTicketLink(db, request.actor!, id, parseForm(linkSchema, form));
        else await removeTicketLink(db, request.actor!, id, parseForm(unlinkSchema, form).linkId);
        return reply.seeOther(`/agent/tickets/${id}${tab === 'general' ? '' : `?tab=${tab}`}`, verb === 'add' ? 'links.added' : 'links.removed');
      } catch (error) {
        if (!(error instanceof Invalid)) throw error;
        const details = await agentTicketDetails(db, request.actor!, id, tab, [request.t('common.yes'), request.t('common.no')]);
        const message = request.t(error.message, error.params);
        return reply.page('tickets/agent-show', {
          ...details, linkForm: { errors: error.fields, message, values: { kind: form.kind ?? '', other: form.other ?? '' } },
        }, { status: 422 });
      }
    });
  }
}
