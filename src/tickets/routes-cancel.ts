import type { FastifyInstance, FastifyReply } from 'fastify';
import { Invalid } from '../lib/errors.js';
import { idParam } from '../lib/validate.js';
import { parseForm } from '../lib/form.js';
import { allow } from '../plugins/guards.js';
import { cancelTarget, cancelTicket, REASON_MAX } from './cancel.js';
import { cancelSchema } from './schemas.js';

type Form = Record<string, string | undefined>;

/** Cancelling a ticket, with a reason, from the portal (its requester) or the agent view. */
export default async function cancelRoutes(app: FastifyInstance) {
  const { db } = app;

  async function form(reply: FastifyReply, area: 'portal' | 'agent', id: number, extra: Record<string, unknown> = {}, status = 200) {
    const { ticket } = await cancelTarget(db, reply.request.actor!, id);
    const base = `/${area}/tickets/${ticket.id}`;
    return reply.page('tickets/cancel', { ticket, action: `${base}/cancel`, back: base, maxLength: REASON_MAX, errors: {}, values: {}, ...extra }, { status });
  }

  for (const area of ['portal', 'agent'] as const) {
    const guard = area === 'portal' ? allow('portal.use') : allow('desk.use');

    app.get<{ Params: { id: string } }>(`/${area}/tickets/:id/cancel`, { preHandler: guard }, async (request, reply) => {
      return form(reply, area, idParam(request.params.id));
    });

    app.post<{ Params: { id: string }; Body: Form }>(`/${area}/tickets/:id/cancel`, { preHandler: guard }, async (request, reply) => {
      const id = idParam(request.params.id);
      const body = request.body ?? {};
      // A mistake in the reason is shown on the form only if the ticket can be cancelled at all:
      // form() asks cancelTarget first, so 404/403/409 still win over 422.
      try {
        await cancelTicket(db, request.actor!, id, parseForm(cancelSchema, body));
      } catch (error) {
        if (!(error instanceof Invalid)) throw error;
        return form(reply, area, id, { errors: error.fields, values: body, message: request.t(error.message, error.params) }, 422);
      }
      return reply.seeOther(`/${area}/tickets/${id}`, 'cancel.done');
    });
  }
}
