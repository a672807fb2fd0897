import type { FastifyInstance } from 'fastify';
import { articlesOfTexts, articleSource } from '../help/queries.js';
import { editorChoices } from '../help/staff-queries.js';
import { suggestArticles } from '../help/suggest.js';
import { articlePath, helpBaseUrl, isHelpLocale } from '../help/text.js';
import { findBrand } from '../brands/queries.js';
import { NotFound } from '../lib/errors.js';
import { idParam, positiveInt } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { articleTextHits, helpSearchTerms, similarSolvedTickets } from '../search/index.js';
import { findVisibleTicket } from '../tickets/queries.js';
import { articleDraftFromTicket } from './article-from-ticket.js';
import { pendingMacro } from './routes-macros.js';
import { agentTicketDetails, parseTab } from './ticket-page.js';

type Form = Record<string, string | undefined>;
const RESULTS = 10;

/**
 * The compose box's "Insert an article" (issue 23, point 5): the agent finds a published public
 * article of the help center and puts its link, or its text, into the message being written. Like
 * the macro picker (routes-macros.ts), it changes nothing: the ticket page comes back with the text
 * filled in, whatever else was typed (and a pending macro) kept. Internal articles are not offered:
 * what goes into a reply may reach the customer. Searching for nothing offers the articles the
 * ticket's subject suggests.
 */
export default async function ticketArticleRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('ticket.write'));

  app.post<{ Params: { id: string }; Body: Form }>('/agent/tickets/:id/article', async (request, reply) => {
    const actor = request.actor!;
    const form = request.body ?? {};
    const details = await agentTicketDetails(db, actor, idParam(request.params.id), parseTab(form.tab), [request.t('common.yes'), request.t('common.no')]);
    const kept: Form = Object.fromEntries(Object.entries(form).filter(([key]) => key !== '_csrf' && key !== 'articleAction'));
    const articleQ = typeof form.articleQ === 'string' ? form.articleQ.slice(0, 200) : '';
    const locale = request.t.locale ?? 'en';
    // The ticket's brand's help center: the articles its customer can open, at that help center's address.
    const brand = await findBrand(db, details.ticket.brand_id);
    const reader = { internal: false, locale, brandId: details.ticket.brand_id };
    const compose = { values: kept, errors: {} as Record<string, string>, pending: await pendingMacro(db, actor, form, request.t), articleQ };
    const page = (extra: Record<string, unknown>, status = 200) => reply.page('tickets/agent-show', { ...details, compose: { ...compose, ...extra } }, { status });

    if (form.articleAction === 'link' || form.articleAction === 'text') {
      const chosen = positiveInt(form.articleChoice);
      const article = chosen === null ? null : await articleSource(db, chosen, locale, reader.brandId).catch((error: unknown) => {
        if (error instanceof NotFound) return null;
        throw error;
      });
      if (!article) return page({ errors: { article: 'help.compose.choose' }, message: request.t('help.compose.choose') }, 422);
      const insert = form.articleAction === 'link' ? `[${article.title}](${helpBaseUrl(app.mail.baseUrl, brand?.host ?? null)}${articlePath(article.id, article.title)})` : article.body;
      const typed = (kept.body ?? '').replace(/\s+$/, '');
      return page({ values: { ...kept, body: typed ? `${typed}\n\n${insert}` : insert } });
    }
    // Nothing typed: the articles suggested by the ticket's subject, as a customer would see them.
    if (!articleQ.trim()) {
      const suggested = await suggestArticles(db, reader, details.ticket.subject);
      return page({ articleResults: suggested.map(({ id, title }) => ({ id, title })), articleSuggested: true });
    }
    const terms = helpSearchTerms(articleQ);
    const hits = terms.length > 0 ? await articleTextHits(db, terms) : [];
    const score = new Map(hits.map((hit) => [hit.textId, hit.score]));
    const rows = await articlesOfTexts(db, reader, hits.map((hit) => hit.textId));
    const articleResults = rows.sort((a, b) => score.get(a.text_id)! - score.get(b.text_id)! || b.id - a.id).slice(0, RESULTS)
      .map((row) => ({ id: row.id, title: row.title }));
    return page({ articleResults });
  });

  // "Create article from this ticket": the new-article form, filled in; saved only when the agent presses Save.
  app.get<{ Params: { id: string } }>('/agent/tickets/:id/new-article', { preHandler: allow('help.manage') }, async (request, reply) => {
    const draft = await articleDraftFromTicket(db, request.actor!, idParam(request.params.id));
    const locale = isHelpLocale(request.t.locale) ? request.t.locale : 'en';
    const values = { sectionId: '', visibility: 'public', locale, title: draft.title, body: draft.body };
    return reply.page('help/editor', { values, errors: {}, fromTicket: draft.ticketId, ...(await editorChoices(db, locale)) });
  });

  // "Similar solved tickets": the side panel loads them after the page (a search over the whole desk
  // takes tens of milliseconds on a million tickets, too long for every ticket page); without
  // JavaScript the panel's link opens them as a page.
  app.get<{ Params: { id: string } }>('/agent/tickets/:id/similar', async (request, reply) => {
    const ticket = await findVisibleTicket(db, request.actor!, idParam(request.params.id));
    if (!ticket) throw new NotFound();
    const similar = await similarSolvedTickets(db, request.actor!, ticket);
    return reply.page('help/similar', { ticket, similar }, { fragment: 'help/_similar' });
  });
}
