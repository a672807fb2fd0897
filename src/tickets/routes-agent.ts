import type { FastifyInstance } from 'fastify';
import type { Translate } from '../i18n.js';
import { Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { positiveInt } from '../lib/validate.js';
import { requireRole, STAFF } from '../plugins/guards.js';
import { renderAgentList } from './list-page.js';
import { sideMenu } from './menu.js';
import { agentTicketDetails, parseTab } from './details.js';
import { listTicketTypes, markSeen, organizationsStartingWith } from './queries.js';
import { changeStatus, noteOpenedByAssignee } from './status.js';
import { assignTicket } from './assignment.js';
import { updateTicket } from './edit.js';
import { deleteTicket } from './delete.js';
import { removeStoredFiles } from '../attachments/store.js';
import { discardUploads, readMultipartForm } from '../attachments/uploads.js';
import { editFormData } from './edit-form.js';
import { postAgentMessage } from '../messages/messages.js';
import { StaleReply } from '../messages/stale.js';
import { nowIso } from '../lib/time.js';
import { getNumberSetting } from '../settings/settings.js';
import { openTicketForCustomer, PRIORITIES } from './tickets.js';
import { markMessengerRead } from '../chat/chat.js';

type Form = Record<string, string | undefined>;

const yesNo = (t: Translate): [string, string] => [t('common.yes'), t('common.no')];

function ticketId(param: string): number {
  const id = positiveInt(param);
  if (id === null) throw new NotFound();
  return id;
}

export default async function agentTicketRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', requireRole(...STAFF));

  app.get<{ Querystring: Form }>('/agent/tickets', async (request, reply) => renderAgentList(db, request, reply, request.query));

  // The side menu's counts, loaded by the list page after itself (hx-trigger="load"): the list never waits for them.
  app.get<{ Querystring: Form }>('/agent/tickets/menu', async (request, reply) => {
    const view = typeof request.query.view === 'string' ? request.query.view.slice(0, 40) : '';
    return reply.page('tickets/_menu-views', { menu: await sideMenu(db, request.actor!, { counts: true }), filter: { view }, savedId: null });
  });

  // Suggestions for the list's organisation name field (a desk with more than ORG_SELECT_MAX organisations).
  app.get<{ Querystring: Form }>('/agent/organizations/options', async (request, reply) => {
    const typed = typeof request.query.orgname === 'string' ? request.query.orgname.trim().slice(0, 200) : '';
    const organizations = typed === '' ? [] : await organizationsStartingWith(db, typed);
    return reply.page('tickets/_org-options', { organizations });
  });

  app.get('/agent/tickets/new', async (_request, reply) => {
    const typeId = await getNumberSetting(db, 'default_type_id');
    return reply.page('tickets/new', { values: { visibility: 'public', typeId: typeId === null ? '' : String(typeId) }, errors: {}, ...(await formChoices()) });
  });

  app.post<{ Body: Form }>('/agent/tickets', async (request, reply) => {
    const form = request.body ?? {};
    try {
      const id = await openTicketForCustomer(db, request.actor!, form, app.mail);
      return reply.seeOther(`/agent/tickets/${id}`, 'tickets.created');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('tickets/new', { values: form, errors: error.fields, ...(await formChoices()) },
        { status: 422, fragment: 'tickets/_new-form' });
    }
  });

  app.get<{ Params: { id: string }; Querystring: Form }>('/agent/tickets/:id', async (request, reply) => {
    const id = ticketId(request.params.id);
    await noteOpenedByAssignee(db, request.actor!, id);
    const details = await agentTicketDetails(db, request.actor!, id, parseTab(request.query.tab), yesNo(request.t));
    await markSeen(db, request.actor!.id, id, nowIso());
    await markMessengerRead(db, request.actor!, id);
    // After a form's redirect, htmx swaps this page in place: keep the address bar on the tab it shows.
    reply.header('HX-Replace-Url', request.url);
    return reply.page('tickets/agent-show', { ...details, present: app.live.presence.list(id, request.actor!.id) });
  });

  app.post<{ Params: { id: string }; Body: Form }>('/agent/tickets/:id/status', async (request, reply) => {
    const id = ticketId(request.params.id);
    try {
      await changeStatus(db, request.actor!, id, { statusId: request.body?.statusId });
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const details = await agentTicketDetails(db, request.actor!, id, 'general', yesNo(request.t));
      return reply.page('tickets/agent-show', { ...details, statusError: request.t(error.message, error.params) }, { status: 422 });
    }
    return reply.seeOther(`/agent/tickets/${id}`, 'tickets.statusChanged');
  });

  // Multipart (files): the CSRF token is checked by readMultipartForm, before any file is written.
  app.post<{ Params: { id: string } }>('/agent/tickets/:id/messages', { config: { multipartCsrf: true } }, async (request, reply) => {
    const id = ticketId(request.params.id);
    const actor = request.actor!;
    const form = await readMultipartForm(request, actor);
    try {
      if (form.rejected.length > 0) throw new Invalid({ files: 'attachments.errors.rejected' }, 'attachments.errors.rejected');
      const message = await postAgentMessage(db, actor, id, { ...form.fields, uploadIds: form.uploads.map((u) => u.id) });
      if (message.kind !== 'note') app.live.toStaff(id, { type: 'message', kind: message.kind, authorId: actor.id, authorName: actor.name });
      const tab = { reply: 'general', update: 'updates', note: 'internal' }[message.kind];
      return reply.seeOther(`/agent/tickets/${id}?tab=${tab}`, `messages.posted.${message.kind}`);
    } catch (error) {
      await discardUploads(db, app.config.uploadsDir, form.uploads);
      if (!(error instanceof Invalid) && !(error instanceof StaleReply)) throw error;
      const details = await agentTicketDetails(db, actor, id, 'general', yesNo(request.t));
      // Stale: the same text again, now carrying the newest message, so sending it once more is "send anyway".
      const compose = error instanceof StaleReply
        ? { values: { ...form.fields, seenMessageId: String(error.newestId) }, errors: {}, stale: true, hadFiles: form.uploads.length > 0, message: request.t(error.message, error.params), rejected: [] }
        : { values: form.fields, errors: error.fields, message: request.t(error.message, error.params), rejected: form.rejected };
      return reply.page('tickets/agent-show', { ...details, compose }, { status: error.statusCode });
    }
  });

  app.post<{ Params: { id: string }; Body: Form }>('/agent/tickets/:id/assignment', async (request, reply) => {
    const id = ticketId(request.params.id);
    await assignTicket(db, request.actor!, id, { assigneeId: request.body?.assigneeId }, app.mail);
    return reply.seeOther(`/agent/tickets/${id}`, 'tickets.assigned');
  });

  app.get<{ Params: { id: string }; Querystring: Form }>('/agent/tickets/:id/edit', async (request, reply) => {
    const id = ticketId(request.params.id);
    // A query string means "draw the form again with these values" (the type select changed).
    const typed = request.query.subject !== undefined ? request.query : null;
    const data = await editFormData(db, request.actor!, id, typed);
    return reply.page('tickets/edit', { ...data, errors: {} }, { fragment: 'tickets/_edit-dialog' });
  });

  app.post<{ Params: { id: string }; Body: Form }>('/agent/tickets/:id/edit', async (request, reply) => {
    const id = ticketId(request.params.id);
    const form = request.body ?? {};
    if (form.refresh) {
      return reply.page('tickets/edit', { ...(await editFormData(db, request.actor!, id, form)), errors: {} });
    }
    try {
      await updateTicket(db, request.actor!, id, form, app.mail);
      return reply.seeOther(`/agent/tickets/${id}`, 'tickets.updated');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const data = await editFormData(db, request.actor!, id, form);
      return reply.page('tickets/edit', { ...data, errors: error.fields, message: request.t(error.message, error.params) }, { status: 422 });
    }
  });

  app.get<{ Params: { id: string } }>('/agent/tickets/:id/delete', async (request, reply) => {
    if (request.actor!.role !== 'admin') throw new Forbidden();
    const details = await agentTicketDetails(db, request.actor!, ticketId(request.params.id), 'general', yesNo(request.t));
    return reply.page('tickets/delete', { ticket: details.ticket });
  });

  app.post<{ Params: { id: string } }>('/agent/tickets/:id/delete', async (request, reply) => {
    const storageKeys = await deleteTicket(db, request.actor!, ticketId(request.params.id));
    await removeStoredFiles(app.config.uploadsDir, storageKeys);
    return reply.seeOther('/agent/tickets', 'tickets.deleted');
  });

  async function formChoices() {
    return { types: await listTicketTypes(db), priorities: PRIORITIES };
  }
}
