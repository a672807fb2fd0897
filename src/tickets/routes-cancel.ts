import type { FastifyInstance, FastifyReply } from 'fastify';
import { Invalid, NotFound } from '../lib/errors.js';
import { positiveInt } from '../lib/validate.js';
import { requireRole, STAFF } from '../plugins/guards.js';
import { cancelTarget, cancelTicket, REASON_MAX } from './cancel.js';

type Form = Record<string, string | undefined>;

function ticketId(param: string): number {
  const id = positiveInt(param);
  if (id === null) throw new NotFound();
  return id;
}

/** Cancelling a ticket, with a reason, from the portal (its requester) or the agent view. */
export default async function cancelRoutes(app: FastifyInstance) {
  const { db } = app;

  async function form(reply: FastifyReply, area: 'portal' | 'agent', id: number, extra: Record<string, unknown> = {}, status = 200) {
    const { ticket } = await cancelTarget(db, reply.request.actor!, id);
    const base = `/${area}/tickets/${ticket.id}`;
    return reply.page('tickets/cancel', { ticket, action: `${base}/cancel`, back: base, maxLength: REASON_MAX, errors: {}, values: {}, ...extra }, { status });
  }

  for (const area of ['portal', 'agent'] as const) {
    const guard = area === 'portal' ? requireRole('customer') : requireRole(...STAFF);

    app.get<{ Params: { id: string } }>(`/${area}/tickets/:id/cancel`, { preHandler: guard }, async (request, reply) => {
      return form(reply, area, ticketId(request.params.id));
    });

    app.post<{ Params: { id: string }; Body: Form }>(`/${area}/tickets/:id/cancel`, { preHandler: guard }, async (request, reply) => {
      const id = ticketId(request.params.id);
      const body = request.body ?? {};
      try {
        await cancelTicket(db, request.actor!, id, body);
      } catch (error) {
        if (!(error instanceof Invalid)) throw error;
        return form(reply, area, id, { errors: error.fields, values: body, message: request.t(error.message, error.params) }, 422);
      }
      return reply.seeOther(`/${area}/tickets/${id}`, 'cancel.done');
    });
  }
}
