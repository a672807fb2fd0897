import type { FastifyInstance } from 'fastify';
import type { Translate } from '../i18n.js';
import { Forbidden, Invalid } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { idParam } from '../lib/validate.js';
import { statusOf } from '../plugins/errors.js';
import { fromOwnPagesOrTyped } from '../plugins/fetch-site.js';
import { allow } from '../plugins/guards.js';
import { can } from '../policy/can.js';
import { landingQuery, renderAgentList } from './list-page.js';
import { sideMenu } from '../tickets/menu.js';
import { agentTicketDetails, parseTab, type Tab } from './ticket-page.js';
import { nextTicketFor } from './next-ticket.js';
import { listTicketTypes, markSeen, organizationsStartingWith } from '../tickets/queries.js';
import { changeStatus, noteOpenedByAssignee } from '../tickets/status.js';
import { assignTicket } from '../tickets/assignment.js';
import { updateTicket } from '../tickets/edit.js';
import { deleteTicket } from '../tickets/delete.js';
import { discardUploads, readMultipartForm, type StoredUpload } from '../attachments/uploads.js';
import { editFormData } from '../tickets/edit-form.js';
import { postAgentMessage, type AgentMessageKind } from '../messages/messages.js';
import { parseAgentMessage } from '../messages/schemas.js';
import { StaleReply } from '../messages/stale.js';
import { nowIso } from '../lib/time.js';
import { getNumberSetting } from '../settings/settings.js';
import { PRIORITIES } from '../tickets/tickets.js';
import { openTicketForCustomer } from '../submissions/open-ticket.js';
import { assignSchema, readEditForm, statusSchema } from '../tickets/schemas.js';
import { openTicketSchema } from './schemas.js';
import { markMessengerRead } from '../chat/chat.js';
import { openChildrenSchema } from '../links/schemas.js';
import { applyMacroActions } from '../macros/apply.js';
import { readChosenMacroFiles, readPendingMacro } from '../macros/schemas.js';
import { copyMacroFilesForMessage } from '../macros/file-use.js';
import { pendingMacro } from './routes-macros.js';

type Form = Record<string, string | undefined>;

/**
 * Where the page goes after a message: back to the filtered tab it was written on when that tab
 * shows it (a public update on Updates, a note on Internal Updates), else General, the whole story.
 */
function tabAfter(kind: AgentMessageKind, from: string | undefined): Tab {
  return (from === 'updates' && kind === 'update') || (from === 'internal' && kind === 'note') ? from : 'general';
}

const yesNo = (t: Translate): [string, string] => [t('common.yes'), t('common.no')];

export default async function agentTicketRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('desk.use'));

  // The bare address is the agent's landing view (a profile choice, "My open tickets" by default).
  app.get<{ Querystring: Form }>('/agent/tickets', async (request, reply) => renderAgentList(db, request, reply,
    Object.keys(request.query).length === 0 ? await landingQuery(db, request.actor!) : request.query));

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
      const id = await openTicketForCustomer(db, request.actor!, parseForm(openTicketSchema, form));
      return reply.seeOther(`/agent/tickets/${id}`, 'tickets.created');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('tickets/new', { values: form, errors: error.fields, ...(await formChoices()) },
        { status: 422, fragment: 'tickets/_new-form' });
    }
  });

  app.get<{ Params: { id: string }; Querystring: Form }>('/agent/tickets/:id', async (request, reply) => {
    const id = idParam(request.params.id);
    // A GET that changes the status: only when the assignee meant to open it, not via another site's link.
    if (fromOwnPagesOrTyped(request)) await noteOpenedByAssignee(db, request.actor!, id);
    const details = await agentTicketDetails(db, request.actor!, id, parseTab(request.query.tab), yesNo(request.t));
    await markSeen(db, request.actor!.id, id, nowIso());
    await markMessengerRead(db, request.actor!, id);
    // After a form's redirect, htmx swaps this page in place: keep the address bar on the tab it shows.
    reply.header('HX-Replace-Url', request.url);
    return reply.page('tickets/agent-show', { ...details, present: app.live.presence.list(id, request.actor!.id) });
  });

  app.post<{ Params: { id: string }; Body: Form }>('/agent/tickets/:id/status', async (request, reply) => {
    const id = idParam(request.params.id);
    try {
      await changeStatus(db, request.actor!, id, parseForm(statusSchema, request.body),
        { openChildrenConfirmed: parseForm(openChildrenSchema, request.body).confirmOpenChildren });
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const details = await agentTicketDetails(db, request.actor!, id, 'general', yesNo(request.t));
      return reply.page('tickets/agent-show', { ...details, statusError: request.t(error.message, error.params),
        openChildren: error.fields.confirmOpenChildren ? error.params : undefined }, { status: 422 });
    }
    return reply.seeOther(`/agent/tickets/${id}`, 'tickets.statusChanged');
  });

  // Multipart (files): the CSRF token is checked by readMultipartForm, before any file is written.
  app.post<{ Params: { id: string } }>('/agent/tickets/:id/messages', { config: { multipartCsrf: true } }, async (request, reply) => {
    const id = idParam(request.params.id);
    const actor = request.actor!;
    const form = await readMultipartForm(request, actor);
    // The applied macro's ticked files, copied under keys of their own as pending uploads of the agent.
    let macroFiles: StoredUpload[] = [];
    try {
      if (form.rejected.length > 0) throw new Invalid({ files: 'attachments.errors.rejected' }, 'attachments.errors.rejected');
      // A macro applied in the compose box: its actions are written with the message, in its transaction.
      const macro = readPendingMacro(form.fields);
      const also = macro ? (trx: Parameters<typeof applyMacroActions>[0], ticketId: number) => applyMacroActions(trx, actor, ticketId, macro, request.t) : undefined;
      const input = parseAgentMessage(form.fields);
      if (macro) macroFiles = await copyMacroFilesForMessage(db, app.config.uploadsDir, actor, macro.macroId, readChosenMacroFiles(form.lists.macroFile));
      const message = await postAgentMessage(db, actor, id, { ...input, uploadIds: [...form.uploads, ...macroFiles].map((u) => u.id), also });
      if (form.fields.then === 'next') {
        const next = await nextTicketFor(db, actor, id);
        return reply.seeOther(next === null ? '/agent/tickets?view=my_open' : `/agent/tickets/${next}`,
          next === null ? 'messages.posted.noNext' : `messages.posted.${message.kind}`);
      }
      return reply.seeOther(`/agent/tickets/${id}?tab=${tabAfter(message.kind, form.fields.tab)}`, `messages.posted.${message.kind}`);
    } catch (error) {
      await discardUploads(db, app.config.uploadsDir, [...form.uploads, ...macroFiles]);
      if (!(error instanceof Invalid) && !(error instanceof StaleReply)) throw error;
      const details = await agentTicketDetails(db, actor, id, parseTab(form.fields.tab), yesNo(request.t));
      // Stale: the same text again, now carrying the newest message, so sending it once more is "send anyway".
      const compose = error instanceof StaleReply
        ? { values: { ...form.fields, seenMessageId: String(error.newestId) }, errors: {}, stale: true, hadFiles: form.uploads.length > 0, message: request.t(error.message, error.params), rejected: [] }
        : { values: form.fields, errors: error.fields, message: request.t(error.message, error.params), rejected: form.rejected };
      return reply.page('tickets/agent-show', { ...details, compose: { ...compose, pending: await pendingMacro(db, actor, form.fields, request.t, form.lists.macroFile) } }, { status: statusOf(error) });
    }
  });

  app.post<{ Params: { id: string }; Body: Form }>('/agent/tickets/:id/assignment', async (request, reply) => {
    const id = idParam(request.params.id);
    await assignTicket(db, request.actor!, id, parseForm(assignSchema(request.actor!.id), request.body));
    return reply.seeOther(`/agent/tickets/${id}`, 'tickets.assigned');
  });

  app.get<{ Params: { id: string }; Querystring: Form }>('/agent/tickets/:id/edit', async (request, reply) => {
    const id = idParam(request.params.id);
    // A query string means "draw the form again with these values" (the type select changed).
    const typed = request.query.subject !== undefined ? request.query : null;
    const data = await editFormData(db, request.actor!, id, typed);
    return reply.page('tickets/edit', { ...data, errors: {} }, { fragment: 'tickets/_edit-dialog' });
  });

  app.post<{ Params: { id: string }; Body: Form }>('/agent/tickets/:id/edit', async (request, reply) => {
    const id = idParam(request.params.id);
    const form = request.body ?? {};
    if (form.refresh) {
      return reply.page('tickets/edit', { ...(await editFormData(db, request.actor!, id, form)), errors: {} });
    }
    try {
      await updateTicket(db, request.actor!, id, readEditForm(form, request.actor!.id), request.t);
      return reply.seeOther(`/agent/tickets/${id}`, 'tickets.updated');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const data = await editFormData(db, request.actor!, id, form);
      return reply.page('tickets/edit', { ...data, errors: error.fields, message: request.t(error.message, error.params) }, { status: 422 });
    }
  });

  app.get<{ Params: { id: string } }>('/agent/tickets/:id/delete', async (request, reply) => {
    if (!can(request.actor!, 'ticket.delete')) throw new Forbidden();
    const details = await agentTicketDetails(db, request.actor!, idParam(request.params.id), 'general', yesNo(request.t));
    return reply.page('tickets/delete', { ticket: details.ticket });
  });

  app.post<{ Params: { id: string } }>('/agent/tickets/:id/delete', async (request, reply) => {
    await deleteTicket(db, request.actor!, idParam(request.params.id));
    return reply.seeOther('/agent/tickets', 'tickets.deleted');
  });

  async function formChoices() {
    return { types: await listTicketTypes(db), priorities: PRIORITIES };
  }
}
