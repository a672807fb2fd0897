import type { FastifyInstance, FastifyReply } from 'fastify';
import { readMultipartForm } from '../attachments/uploads.js';
import { Invalid } from '../lib/errors.js';
import { positiveInt } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { readSubmitForm } from './schemas.js';
import { checkSubmission } from '../submissions/submit.js';
import { draftValues, findOwnDraft, submitDraft } from './drafts.js';
import { submitFormData, type FormState } from './routes-submit.js';

/** A customer finishes a draft ticket (seed 001 "Draft"): the submit form, prefilled, posting to submit-draft. */
export default async function portalDraftRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('portal.use'));
  const ticketId = (raw: string) => positiveInt(raw) ?? -1;

  const render = async (reply: FastifyReply, id: number, state: FormState, status = 200) =>
    reply.page('portal/submit', await submitFormData(db, reply.request.actor!, state, reply.request.hostname, `/portal/tickets/${id}/submit-draft`), { status, fragment: 'portal/_topic-fields' });

  app.get<{ Params: { id: string } }>('/portal/tickets/:id/edit-draft', async (request, reply) => {
    const id = ticketId(request.params.id);
    return render(reply, id, { values: await draftValues(db, request.actor!, id) });
  });

  app.post<{ Params: { id: string } }>('/portal/tickets/:id/submit-draft', { config: { multipartCsrf: true } }, async (request, reply) => {
    const actor = request.actor!;
    const id = ticketId(request.params.id);
    await findOwnDraft(db, actor, id);
    const form = await readMultipartForm(request, actor);
    const kept = (form.lists.keep ?? []).map((v) => positiveInt(v)).filter((n): n is number => n !== null);
    const uploadIds = [...new Set([...kept, ...form.uploads.map((u) => u.id)])];
    const state: FormState = { values: form.fields, uploadIds, rejected: form.rejected };
    if (form.fields.refresh) return render(reply, id, state);
    if (form.rejected.length > 0) {
      const errors = await checkSubmission(db, actor, readSubmitForm(form.fields)).then(() => ({}), (error: unknown) => {
        if (error instanceof Invalid) return error.fields;
        throw error;
      });
      return render(reply, id, { ...state, errors, message: request.t('attachments.errors.rejected') }, 422);
    }
    try {
      await submitDraft(db, actor, id, readSubmitForm(form.fields), uploadIds);
      return reply.seeOther(`/portal/tickets/${id}/submitted`);
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return render(reply, id, { ...state, errors: error.fields, message: request.t(error.message, error.params) }, 422);
    }
  });
}
