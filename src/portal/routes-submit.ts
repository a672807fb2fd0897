import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Db } from '../db/connect.js';
import { readMultipartForm, type Rejection } from '../attachments/uploads.js';
import { allowedLabels, loadAttachmentPolicy } from '../attachments/sniff.js';
import { fieldName, fieldsOfType } from '../fields/fields.js';
import { Invalid, NotFound } from '../lib/errors.js';
import { positiveInt } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { findVisibleTicket } from '../tickets/queries.js';
import type { Actor } from '../users/actor.js';
import { draftsEnabled, saveDraft } from './drafts.js';
import { parseDraftForm, readSubmitForm } from './schemas.js';
import { checkSubmission, defaultTopicId, serviceRequired, submitTicket } from '../submissions/submit.js';
import { activeServices, customerTopics, listBrands, pendingUploadsOf } from '../submissions/queries.js';
import { suggestArticles } from '../help/suggest.js';
import { brandOfHost } from '../help/queries.js';
import { can } from '../policy/can.js';

/** The form as the browser sent it, to draw it again. */
type FormValues = Record<string, string | undefined>;

export interface FormState {
  values: FormValues;
  errors?: Record<string, string>;
  message?: string;
  uploadIds?: number[];
  rejected?: Rejection[];
}

/** What the submit form shows; a draft being finished posts to its own `action`. */
export async function submitFormData(db: Db, actor: Actor, state: FormState, host: string, action = '/portal/tickets') {
  const topics = await customerTopics(db);
  const typeId = positiveInt(state.values.typeId) ?? await defaultTopicId(db);
  const topic = topics.find((t) => t.id === typeId) ?? topics[0];
  const fields = topic ? (await fieldsOfType(db, topic.id)).filter((f) => f.customer_visible === 1).map((f) => ({ ...f, name: fieldName(f) })) : [];
  const policy = await loadAttachmentPolicy(db);
  return {
    path: '/portal/tickets/new', action, draftable: action === '/portal/tickets' && await draftsEnabled(db),
    topics, topic, fields, brands: await listBrands(db), services: await activeServices(db, actor),
    serviceRequired: await serviceRequired(db), values: { ...state.values, typeId: topic ? String(topic.id) : '' },
    errors: state.errors ?? {}, message: state.message, rejected: state.rejected ?? [],
    kept: await pendingUploadsOf(db, actor.id, state.uploadIds ?? []),
    attachmentPolicy: { types: allowedLabels(policy), maxBytes: policy.maxTotalBytes },
    ...(await helpSuggestions(db, actor, state.values, host)),
  };
}

/**
 * Help center articles for the subject typed so far (issue 23, point 4): on every drawing of the form
 * that has a subject; "Check for answers" (the `refresh` button, for browsers without JavaScript) also
 * says when there are none. From the help center of the host the form was sent to, where their links lead.
 */
async function helpSuggestions(db: Db, actor: Actor, values: FormValues, host: string) {
  const subject = values.subject ?? '';
  if (!subject) return { suggestions: [], suggestedFor: '' };
  const reader = { internal: can(actor, 'help.internal'), locale: actor.locale || 'en', brandId: (await brandOfHost(db, host)).id };
  const suggestions = await suggestArticles(db, reader, subject);
  return { suggestions, suggestedFor: values.refresh === 'answers' ? subject : '' };
}

/** Seed 002's "Submit a ticket", with JavaScript or without. */
export default async function portalSubmitRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('portal.use'));

  const render = async (reply: FastifyReply, state: FormState, status = 200) =>
    reply.page('portal/submit', await submitFormData(db, reply.request.actor!, state, reply.request.hostname), { status, fragment: 'portal/_topic-fields' });

  app.get<{ Querystring: Record<string, string | undefined> }>('/portal/tickets/new', async (request, reply) => {
    const { typeId, followup } = request.query;
    const original = followup ? await findVisibleTicket(db, request.actor!, positiveInt(followup) ?? -1) : undefined;
    const values: FormValues = { typeId, ...(original ? { subject: request.t('portal.submit.followupSubject', { id: original.id, subject: original.subject }) } : {}) };
    return render(reply, { values });
  });

  // Multipart: readMultipartForm checks the CSRF token (the form's first field) before any file is written.
  app.post('/portal/tickets', { config: { multipartCsrf: true } }, async (request, reply) => {
    const actor = request.actor!;
    const form = await readMultipartForm(request, actor);
    // Files uploaded on an earlier try come back as `keep` ids: nobody chooses a file twice.
    const kept = (form.lists.keep ?? []).map((v) => positiveInt(v)).filter((n): n is number => n !== null);
    const uploadIds = [...new Set([...kept, ...form.uploads.map((u) => u.id)])];
    const state: FormState = { values: form.fields, uploadIds, rejected: form.rejected };
    if (form.fields.refresh) return render(reply, state);
    // "Save as draft" only where the workflow has a draft status; elsewhere it is a normal submit.
    if (form.fields.draft && form.rejected.length === 0 && await draftsEnabled(db)) {
      try {
        const id = await saveDraft(db, actor, parseDraftForm(form.fields), uploadIds);
        return reply.seeOther(`/portal/tickets/${id}`);
      } catch (error) {
        if (!(error instanceof Invalid)) throw error;
        return render(reply, { ...state, errors: error.fields, message: request.t(error.message, error.params) }, 422);
      }
    }
    if (form.rejected.length > 0) {
      const errors = await checkSubmission(db, actor, readSubmitForm(form.fields)).then(() => ({}), (error: unknown) => {
        if (error instanceof Invalid) return error.fields;
        throw error;
      });
      return render(reply, { ...state, errors, message: request.t('attachments.errors.rejected') }, 422);
    }
    try {
      const id = await submitTicket(db, actor, readSubmitForm(form.fields), uploadIds);
      return reply.seeOther(`/portal/tickets/${id}/submitted`);
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return render(reply, { ...state, errors: error.fields, message: request.t(error.message, error.params) }, 422);
    }
  });

  app.get<{ Params: { id: string } }>('/portal/tickets/:id/submitted', async (request, reply) => {
    const ticket = await findVisibleTicket(db, request.actor!, positiveInt(request.params.id) ?? -1);
    if (!ticket) throw new NotFound();
    return reply.page('portal/submitted', { ticket });
  });
}
