import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/connect.js';
import type { Translate } from '../i18n.js';
import { Invalid, NotFound } from '../lib/errors.js';
import { readForm } from '../lib/form.js';
import { idParam, positiveInt } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { renderMarkdown } from '../messages/markdown.js';
import { describeActions, fillMacro } from '../macros/apply.js';
import { findUsableMacro, parseActions, usableMacros } from '../macros/macros.js';
import { composeMacroFiles, type ComposeMacroFile } from '../macros/file-use.js';
import { listMacroFiles } from '../macros/files.js';
import { actionFields, applySchema, PENDING_FIELDS, readChosenMacroFiles, readPendingMacro } from '../macros/schemas.js';
import { findVisibleTicket } from '../tickets/queries.js';
import type { Actor } from '../users/actor.js';
import { agentTicketDetails, parseTab } from './ticket-page.js';

type Form = Record<string, string | undefined>;

/**
 * The macro a compose form carries (hidden fields) as the agent reads it: its name, its actions, and
 * its files "to be attached" with the boxes the agent left ticked (`chosenFiles`: the form's `macroFile`).
 */
export async function pendingMacro(db: Db, actor: Actor, fields: Record<string, unknown>, t: Translate, chosenFiles: unknown = undefined): Promise<{ name: string; actions: string[]; files: ComposeMacroFile[] } | null> {
  try {
    const pending = readPendingMacro(fields);
    if (!pending) return null;
    const macro = await findUsableMacro(db, actor, pending.macroId);
    return { name: macro.name, actions: await describeActions(db, pending.actions, t, actor), files: await composeMacroFiles(db, macro.id, readChosenMacroFiles(chosenFiles)) };
  } catch (error) {
    if (error instanceof Invalid || error instanceof NotFound) return null;
    throw error;
  }
}

/**
 * The compose box's "Macro" picker. Without JavaScript: a select and "Apply", which shows the ticket
 * page again with the macro's text filled in and its actions listed (hidden fields the message's
 * Send applies); "Search" narrows the select. With htmx: the list narrows as one types, and choosing
 * one previews it. Nothing here changes anything.
 */
export default async function ticketMacroRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('macros.use'));

  async function visibleTicket(actor: Actor, id: number) {
    const ticket = await findVisibleTicket(db, actor, id);
    if (!ticket) throw new NotFound();
    return ticket;
  }

  app.post<{ Params: { id: string }; Body: Form }>('/agent/tickets/:id/macro', async (request, reply) => {
    const id = idParam(request.params.id);
    const actor = request.actor!;
    const form = request.body ?? {};
    const details = await agentTicketDetails(db, actor, id, parseTab(form.tab), [request.t('common.yes'), request.t('common.no')]);
    const macroQ = typeof form.macroQ === 'string' ? form.macroQ.slice(0, 200) : '';
    // What the agent had typed stays; a macro applied before is replaced by this one.
    const kept: Form = Object.fromEntries(Object.entries(form).filter(([key]) => key !== '_csrf' && key !== 'macroAction' && key !== 'macroFile' && !PENDING_FIELDS.includes(key)));
    const page = async (compose: Record<string, unknown>, status = 200) => reply.page('tickets/agent-show',
      { ...details, macros: macroQ ? await usableMacros(db, actor, macroQ) : details.macros, macroQ, compose: { errors: {}, ...compose } }, { status });
    // "Remove macro": the form again without the pending macro (the text stays as it is).
    if (form.macroAction === 'clear') return page({ values: kept });
    if (form.macroAction === 'search') {
      const previous = await pendingMacro(db, actor, form, request.t, form.macroFile);
      const values = previous ? { ...kept, ...Object.fromEntries(PENDING_FIELDS.map((key) => [key, form[key] ?? ''])) } : kept;
      return page({ values, pending: previous });
    }
    const { value, errors } = readForm(applySchema, form);
    if (errors.macroChoice) return page({ values: kept, errors: { macro: errors.macroChoice }, message: request.t(errors.macroChoice) }, 422);
    let macro;
    try {
      macro = await findUsableMacro(db, actor, value.macroChoice);
    } catch (error) {
      if (!(error instanceof NotFound)) throw error;
      return page({ values: kept, errors: { macro: 'macros.errors.choose' }, message: request.t('macros.errors.choose') }, 422);
    }
    const filled = await fillMacro(db, actor, details.ticket, macro.body);
    const typed = (typeof kept.body === 'string' ? kept.body : '').replace(/\s+$/, '');
    const actions = parseActions(macro.actions);
    // A reply on a type whose messages stay among staff: the kind the agent had chosen stays.
    const kind = macro.kind === 'reply' && details.ticket.customer_facing === 0 ? kept.kind : macro.kind;
    const values: Form = {
      ...kept, kind, body: typed ? `${typed}\n\n${filled}` : filled, macroId: String(macro.id),
      ...Object.fromEntries(Object.entries(actionFields(actions)).map(([key, v]) => [`macro_${key}`, v])),
    };
    // Its files are listed "to be attached", all ticked: the agent unticks what to leave out.
    const files = await composeMacroFiles(db, macro.id, 'all');
    return page({ values, pending: { name: macro.name, actions: await describeActions(db, actions, request.t, actor), files }, applied: true });
  });

  // htmx: the picker's select, narrowed to the macros whose name contains what was typed.
  app.get<{ Params: { id: string }; Querystring: Form }>('/agent/tickets/:id/macros', async (request, reply) => {
    const ticket = await visibleTicket(request.actor!, idParam(request.params.id));
    const macroQ = typeof request.query.macroQ === 'string' ? request.query.macroQ.slice(0, 200) : '';
    return reply.page('macros/_picker', { ticket, macros: await usableMacros(db, request.actor!, macroQ), macroQ, compose: { values: {} } });
  });

  // htmx: what the chosen macro would write on this ticket, and what it would change.
  app.get<{ Params: { id: string }; Querystring: Form }>('/agent/tickets/:id/macros/preview', async (request, reply) => {
    const actor = request.actor!;
    const ticket = await visibleTicket(actor, idParam(request.params.id));
    const macroId = positiveInt(request.query.macroChoice);
    if (macroId === null) return reply.page('macros/_preview', { preview: null });
    const macro = await findUsableMacro(db, actor, macroId);
    const html = renderMarkdown(await fillMacro(db, actor, ticket, macro.body));
    return reply.page('macros/_preview', { preview: { name: macro.name, kind: macro.kind, html, actions: await describeActions(db, parseActions(macro.actions), request.t, actor),
      files: await listMacroFiles(db, macro.id) } });
  });
}
