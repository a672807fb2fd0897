import type { FastifyInstance } from 'fastify';
import { sendStoredFile } from '../attachments/send.js';
import { allowedLabels, loadAttachmentPolicy } from '../attachments/sniff.js';
import { discardUploads, readMultipartForm, type MultipartForm, type Rejection } from '../attachments/uploads.js';
import { Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { idParam, positiveInt } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { can } from '../policy/can.js';
import { listFilterChoices } from '../tickets/queries.js';
import { PRIORITIES } from '../tickets/tickets.js';
import type { Actor } from '../users/actor.js';
import {
  createMacro, deleteMacro, findVisibleMacro, listMacros, MACRO_KINDS, MACRO_PLACEHOLDERS, parseActions, updateMacro,
} from './macros.js';
import { findDownloadableMacroFile } from './file-use.js';
import { listMacroFiles, pendingUploadsOf, type MacroFileChanges } from './files.js';
import { actionFields, readMacroFiles, readMacroForm } from './schemas.js';
import type { Macro } from './schema.js';

type Form = Record<string, string | undefined>;

/**
 * `/agent/macros`: the macros a person sees (their own, the shared ones offered to them; supervisors
 * and admins every shared one), searched by name or text; create, edit, duplicate (a filled-in new form), delete. Who may
 * change which is the policy's `macro.manage`.
 */
export default async function macroRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('macros.use'));

  const sees = (actor: Actor, id: number) => findVisibleMacro(db, actor, id).then(() => true, (error: unknown) => {
    if (error instanceof NotFound) return false;
    throw error;
  });

  /** `files`: the form's state of the files (what a refused try sent stays: kept uploads, ticked removals, refusals). */
  async function formData(actor: Actor, macroId: number | null = null, files: Partial<MacroFileChanges> & { rejected?: Rejection[] } = {}) {
    const choices = await listFilterChoices(db);
    const policy = await loadAttachmentPolicy(db);
    return {
      canShare: can(actor, 'macros.share'), kinds: MACRO_KINDS, priorities: PRIORITIES, placeholders: MACRO_PLACEHOLDERS,
      statuses: choices.statuses, types: choices.types, groups: choices.groups, agents: choices.agents,
      files: macroId === null ? [] : await listMacroFiles(db, macroId), removing: files.removeIds ?? [],
      kept: await pendingUploadsOf(db, actor.id, files.uploadIds ?? []), rejected: files.rejected ?? [],
      // A duplicate: the files of the macro it copies, ticked as the form had them.
      ...(macroId === null && files.copy && await sees(actor, files.copy.fromId)
        ? { copyFrom: files.copy.fromId, copyFiles: await listMacroFiles(db, files.copy.fromId), copying: files.copy.ids } : {}),
      attachmentPolicy: { types: allowedLabels(policy), maxBytes: policy.maxTotalBytes },
    };
  }

  /** The form's text fields and its files; a refused file is a mistake of the form (nothing is saved then). */
  function readForms(form: MultipartForm) {
    const { value, errors } = readMacroForm(form.fields);
    const files = readMacroFiles(form.lists, form.uploads.map((u) => u.id));
    return { value, files, errors: form.rejected.length > 0 ? { ...errors, files: 'attachments.errors.rejected' } : errors };
  }

  const valuesOf = (macro: Macro): Form => ({
    name: macro.name, body: macro.body, kind: macro.kind, shared: macro.shared ? '1' : '', groupId: macro.group_id === null ? '' : String(macro.group_id),
    ...actionFields(parseActions(macro.actions)),
  });

  app.get<{ Querystring: Form }>('/agent/macros', async (request, reply) => {
    const q = typeof request.query.q === 'string' ? request.query.q.slice(0, 200) : '';
    const macros = await listMacros(db, request.actor!, q);
    return reply.page('macros/index', { macros, q }, { fragment: 'macros/_table' });
  });

  app.get('/agent/macros/new', async (request, reply) => {
    const values = { name: '', body: '', kind: 'reply', shared: '', groupId: '' };
    return reply.page('macros/form', { values, errors: {}, ...(await formData(request.actor!)) });
  });

  // Multipart (files): readMultipartForm checks the CSRF token (the form's first field) before any file is written.
  app.post('/agent/macros', { config: { multipartCsrf: true } }, async (request, reply) => {
    const actor = request.actor!;
    const form = await readMultipartForm(request, actor);
    const { value, files, errors } = readForms(form);
    try {
      await createMacro(db, actor, value, errors, files, app.config.uploadsDir);
      return reply.seeOther('/agent/macros', 'macros.created');
    } catch (error) {
      if (!(error instanceof Invalid)) {
        await discardUploads(db, app.config.uploadsDir, form.uploads);
        throw error;
      }
      // The uploads stay pending (listed as already attached, ticked): the next try sends their ids back.
      return reply.page('macros/form', { values: form.fields, errors: error.fields, message: request.t(error.message, error.params),
        ...(await formData(actor, null, { ...files, rejected: form.rejected })) }, { status: 422, fragment: 'macros/_form' });
    }
  });

  app.get<{ Params: { id: string } }>('/agent/macros/:id/edit', async (request, reply) => {
    const macro = await findVisibleMacro(db, request.actor!, idParam(request.params.id));
    if (!can(request.actor!, 'macro.manage', macro)) throw new Forbidden('macros.errors.sharedByManagers');
    return reply.page('macros/form', { macro, values: valuesOf(macro), errors: {}, ...(await formData(request.actor!, macro.id)) });
  });

  app.post<{ Params: { id: string } }>('/agent/macros/:id', { config: { multipartCsrf: true } }, async (request, reply) => {
    const id = idParam(request.params.id);
    const actor = request.actor!;
    const form = await readMultipartForm(request, actor);
    const { value, files, errors } = readForms(form);
    try {
      await updateMacro(db, actor, id, value, errors, files, app.config.uploadsDir);
      return reply.seeOther('/agent/macros', 'macros.updated');
    } catch (error) {
      if (!(error instanceof Invalid)) {
        await discardUploads(db, app.config.uploadsDir, form.uploads);
        throw error;
      }
      const macro = await findVisibleMacro(db, actor, id);
      return reply.page('macros/form', { macro, values: form.fields, errors: error.fields, message: request.t(error.message, error.params),
        ...(await formData(actor, id, { ...files, rejected: form.rejected })) }, { status: 422, fragment: 'macros/_form' });
    }
  });

  // Duplicate: the new-macro form filled with a copy (saved as a new macro; shared again only by those who may share).
  app.get<{ Params: { id: string } }>('/agent/macros/:id/duplicate', async (request, reply) => {
    const source = await findVisibleMacro(db, request.actor!, idParam(request.params.id));
    const data = await formData(request.actor!);
    const values = { ...valuesOf(source), name: request.t('macros.copyName', { name: source.name }).slice(0, 120) };
    if (!data.canShare) Object.assign(values, { shared: '', groupId: '' });
    // Its files come along (each ticked; copied under keys of their own when the new macro is saved).
    const copyFiles = await listMacroFiles(db, source.id);
    return reply.page('macros/form', { values, errors: {}, ...data, copyFrom: source.id, copyFiles, copying: copyFiles.map((f) => f.id) });
  });

  app.post<{ Params: { id: string } }>('/agent/macros/:id/delete', async (request, reply) => {
    await deleteMacro(db, request.actor!, idParam(request.params.id), app.config.uploadsDir);
    return reply.seeOther('/agent/macros', 'macros.deleted');
  });

  // A macro's file, for whoever may see the macro: a download as /attachments/ sends one (never a page).
  app.get<{ Params: { id: string; filename: string } }>('/agent/macro-files/:id/:filename', async (request, reply) => {
    const id = positiveInt(request.params.id);
    if (!id) throw new NotFound();
    const file = await findDownloadableMacroFile(db, request.actor!, id);
    return sendStoredFile(reply, file);
  });
}
