import type { FastifyInstance, FastifyReply } from 'fastify';
import { discardUploads, readMultipartForm } from '../attachments/uploads.js';
import { DomainError, Invalid, NotFound } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { idParam } from '../lib/validate.js';
import { statusOf } from '../plugins/errors.js';
import { allow } from '../plugins/guards.js';
import { markSolvedByCustomer, postCustomerReply, rateTicket, TicketClosed } from '../tickets/customer.js';
import { addCcByCustomer, removeCcByCustomer } from './ccs.js';
import { openFollowUp } from './follow-up.js';
import { customerReplySchema, ratingSchema, type CustomerReplyInput } from '../tickets/schemas.js';
import { addCcSchema, removeCcSchema } from './schemas.js';
import { portalTicketPage } from './ticket-page.js';
import { markMessengerRead } from '../chat/chat.js';
import { survivorTicket } from '../links/queries.js';

type Form = Record<string, string | undefined>;

/** One ticket as its customer sees it, and what they can do on it. */
export default async function portalTicketRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('portal.use'));

  /** The ticket page again, with a form's message and values (422/409), or the ticket after a POST. */
  async function again(reply: FastifyReply, id: number, error: DomainError, extra: Record<string, unknown>) {
    const request = reply.request;
    const data = await portalTicketPage(db, request.actor!, id, request.t);
    return reply.page('portal/ticket', { ...data, ...extra, formError: request.t(error.message, error.params), errors: error instanceof Invalid ? error.fields : {} },
      { status: statusOf(error) });
  }

  // Out-of-scope tickets answer 404, exactly like missing ones: a customer learns nothing by guessing ids.
  app.get<{ Params: { id: string } }>('/portal/tickets/:id', async (request, reply) => {
    const id = idParam(request.params.id);
    // A ticket merged into another (issue 20): its customers land on the one it lives on, when they can see it.
    const survivor = await survivorTicket(db, request.actor!, id);
    if (survivor !== null) return reply.seeOther(`/portal/tickets/${survivor}`);
    const data = await portalTicketPage(db, request.actor!, id, request.t);
    await markMessengerRead(db, request.actor!, id);
    return reply.page('portal/ticket', data);
  });

  app.post<{ Params: { id: string } }>('/portal/tickets/:id/replies', { config: { multipartCsrf: true } }, async (request, reply) => {
    const id = idParam(request.params.id);
    const actor = request.actor!;
    const form = await readMultipartForm(request, actor);
    const uploadIds = form.uploads.map((u) => u.id);
    let input: CustomerReplyInput | undefined;
    try {
      if (form.rejected.length > 0) throw new Invalid({ files: 'attachments.errors.rejected' }, 'attachments.errors.rejected');
      input = parseForm(customerReplySchema, form.fields);
      await postCustomerReply(db, actor, id, input, uploadIds);
      return reply.seeOther(`/portal/tickets/${id}`, 'portal.reply.sent');
    } catch (error) {
      if (error instanceof TicketClosed && input) {
        const followUp = await openFollowUp(db, actor, id, input, uploadIds, request.t);
        if (followUp !== null) return reply.seeOther(`/portal/tickets/${followUp}/submitted`);
      }
      await discardUploads(db, app.config.uploadsDir, form.uploads);
      if (!(error instanceof DomainError) || error instanceof NotFound) throw error;
      return again(reply, id, error, { values: form.fields, rejected: form.rejected });
    }
  });

  app.post<{ Params: { id: string } }>('/portal/tickets/:id/solve', async (request, reply) => {
    const id = idParam(request.params.id);
    await markSolvedByCustomer(db, request.actor!, id);
    return reply.seeOther(`/portal/tickets/${id}`, 'portal.solve.done');
  });

  app.post<{ Params: { id: string }; Body: Form }>('/portal/tickets/:id/rating', async (request, reply) => {
    const id = idParam(request.params.id);
    try {
      await rateTicket(db, request.actor!, id, parseForm(ratingSchema, request.body));
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return again(reply, id, error, { ratingValues: request.body });
    }
    return reply.seeOther(`/portal/tickets/${id}`, 'portal.rating.thanks');
  });

  app.post<{ Params: { id: string }; Body: Form }>('/portal/tickets/:id/ccs', async (request, reply) => {
    const id = idParam(request.params.id);
    try {
      // The "Remove" button of a CC sends their id; otherwise the form adds an address.
      if (request.body?.remove) await removeCcByCustomer(db, request.actor!, id, { userId: parseForm(removeCcSchema, request.body).remove });
      else await addCcByCustomer(db, request.actor!, id, parseForm(addCcSchema, request.body));
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return again(reply, id, error, { ccValues: request.body });
    }
    return reply.seeOther(`/portal/tickets/${id}`, 'portal.ccs.saved');
  });
}
