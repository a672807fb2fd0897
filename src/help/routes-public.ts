import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotFound } from '../lib/errors.js';
import { can } from '../policy/can.js';
import { parseForm } from '../lib/form.js';
import { escapeHtml } from '../lib/text.js';
import { articleTextHits, excerptHtml, helpSearchTerms, highlightWords } from '../search/index.js';
import { countsAsView, helpBrandOf, helpReaders, readerOf, voterOf } from './access.js';
import {
  articlesOfTexts, categoryTree, findCategory, findSection, popularArticles, readArticle, relatedArticles, sectionArticles,
  sitemapArticles, type Reader,
} from './queries.js';
import { voteSchema } from './schemas.js';
import { articlePath, categoryPath, helpBaseUrl, leadingId, localized, parseTexts, sectionPath } from './text.js';
import { suggestArticles } from './suggest.js';
import { findReadableImage } from './images.js';
import { sendStoredFile } from '../attachments/send.js';
import { isInlineImage } from '../attachments/sniff.js';
import { articleViews } from './view-counts.js';
import { recordDeflection, recordVote, voteOf } from './votes.js';

type Params = { Params: { id: string } };
const paths = { articlePath, categoryPath, sectionPath };
const SEARCH_RESULTS = 20;
/** How often the article views counted in memory are written (and once more on shutdown). */
const VIEW_FLUSH_MS = 5000;

function idOf(segment: string): number {
  const id = leadingId(segment);
  if (id === null) throw new NotFound();
  return id;
}

/**
 * The help center (issue 23, point 2): `/help`, its categories, sections and articles at readable
 * addresses, "Was this helpful?", search and the sitemap. Signed-in people always; visitors when the
 * desk allows it (access.ts). Every list starts from queries.ts visibleArticles: published only, and
 * internal articles for staff only.
 */
export default async function helpPublicRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', helpReaders);
  const views = articleViews(db);
  const viewsNotWritten = (error: unknown) => app.log.error({ err: error }, 'help: article views not written');
  app.addHook('onReady', async () => views.start(VIEW_FLUSH_MS, viewsNotWritten));
  app.addHook('onClose', async () => {
    views.stop();
    await views.flush().catch(viewsNotWritten);
  });

  /** A section and its category, in the reader's brand's help center only (another brand's is not found). */
  async function sectionWithCategory(request: FastifyRequest, id: number) {
    const { locale, brandId } = readerOf(request);
    const row = await findSection(db, id);
    const category = await findCategory(db, row.category_id);
    if (category.brand_id !== null && category.brand_id !== brandId) throw new NotFound();
    return {
      section: { id: row.id, ...localized(parseTexts(row.texts), locale) },
      category: { id: category.id, ...localized(parseTexts(category.texts), locale) },
    };
  }

  app.get('/help', async (request, reply) => {
    const reader = readerOf(request);
    const [tree, popular] = await Promise.all([categoryTree(db, reader.locale, reader.brandId), popularArticles(db, reader)]);
    return reply.page('help/home', { tree, popular, q: '', helpBrand: helpBrandOf(request), ...paths });
  });

  app.get<Params>('/help/categories/:id', async (request, reply) => {
    const reader = readerOf(request);
    const id = idOf(request.params.id);
    const category = (await categoryTree(db, reader.locale, reader.brandId)).find((c) => c.id === id);
    if (!category) throw new NotFound();
    const articles = await sectionArticles(db, reader, category.sections.map((s) => s.id));
    return reply.page('help/category', { category, articles, helpBrand: helpBrandOf(request), ...paths });
  });

  app.get<Params>('/help/sections/:id', async (request, reply) => {
    const reader = readerOf(request);
    const { section, category } = await sectionWithCategory(request, idOf(request.params.id));
    const articles = await sectionArticles(db, reader, [section.id]);
    return reply.page('help/section', { section, category, articles, helpBrand: helpBrandOf(request), ...paths });
  });

  app.get<Params & { Querystring: Record<string, unknown> }>('/help/articles/:id', async (request, reply) => {
    const reader = readerOf(request);
    const article = await readArticle(db, reader, idOf(request.params.id));
    const [{ section, category }, related, vote] = await Promise.all([
      sectionWithCategory(request, article.section_id), relatedArticles(db, reader, article), voteOf(db, article.id, voterOf(request)),
    ]);
    if (countsAsView(request)) views.note(article.id, voterOf(request));
    const fromTicket = request.query.from === 'ticket';
    return reply.page('help/article', { article, section, category, related, vote, fromTicket, helpBrand: helpBrandOf(request), ...paths });
  });

  // "This answered my question", on an article suggested while writing a ticket: no ticket needed.
  app.post<Params>('/help/articles/:id/deflection', async (request, reply) => {
    const article = await readArticle(db, readerOf(request), idOf(request.params.id));
    await recordDeflection(db, article.id, voterOf(request));
    return reply.seeOther(can(request.actor, 'portal.use') ? '/portal' : articlePath(article.id, article.title), 'help.deflected');
  });

  // Suggestions while a customer types a ticket's subject (htmx swaps the list; it is a page of its own too).
  app.get<{ Querystring: Record<string, unknown> }>('/help/suggestions', async (request, reply) => {
    const typed = typeof request.query.subject === 'string' ? request.query.subject : typeof request.query.q === 'string' ? request.query.q : '';
    const suggestions = await suggestArticles(db, readerOf(request), typed);
    return reply.page('help/suggestions', { suggestedFor: typed.trim().slice(0, 200), suggestions }, { fragment: 'help/_suggestions' });
  });

  app.post<Params & { Body: Record<string, string> }>('/help/articles/:id/vote', async (request, reply) => {
    const article = await readArticle(db, readerOf(request), idOf(request.params.id));
    const { helpful } = parseForm(voteSchema, request.body);
    await recordVote(db, article.id, voterOf(request), helpful);
    return reply.seeOther(`${articlePath(article.id, article.title)}#helpful`, 'help.vote.thanks');
  });

  app.get<{ Querystring: Record<string, unknown> }>('/help/search', async (request, reply) => {
    const q = typeof request.query.q === 'string' ? request.query.q.slice(0, 200) : '';
    const results = await searchArticles(readerOf(request), q);
    return reply.page('help/search', { q, results, helpBrand: helpBrandOf(request), ...paths }, { fragment: 'help/_results' });
  });

  async function searchArticles(reader: Reader, q: string) {
    const terms = helpSearchTerms(q);
    if (terms.length === 0) return null;
    const hits = await articleTextHits(db, terms);
    const score = new Map(hits.map((hit) => [hit.textId, hit.score]));
    const rows = await articlesOfTexts(db, reader, hits.map((hit) => hit.textId));
    return rows.sort((a, b) => score.get(a.text_id)! - score.get(b.text_id)! || b.id - a.id).slice(0, SEARCH_RESULTS)
      .map((row) => ({ ...row, titleHtml: highlightWords(row.title, terms), excerptHtml: excerptHtml(row.body_text, terms, 30) }));
  }

  // An article's image (images.ts), for whoever may read the article here; writers also see a draft's, for the editor's preview.
  app.get<Params>('/help/images/:id', async (request, reply) => {
    const image = await findReadableImage(db, readerOf(request), can(request.actor, 'help.manage'), idOf(request.params.id));
    return sendStoredFile(reply, image, isInlineImage(image.content_type) ? 'inline' : 'attachment');
  });

  // For search engines: the public articles only (never an internal one, whoever asks), when visitors may read them.
  // A brand with a host name of its own gets its addresses on that host (BASE_URL's scheme); the others BASE_URL's.
  app.get('/help/sitemap.xml', async (request, reply) => {
    const brand = helpBrandOf(request);
    const base = helpBaseUrl(app.mail.baseUrl, brand.host);
    const urls = (await sitemapArticles(db, brand.id)).map((row) => `  <url><loc>${escapeHtml(base + articlePath(row.id, row.title))}</loc><lastmod>${escapeHtml(row.updated_at.slice(0, 10))}</lastmod></url>`);
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n  <url><loc>${escapeHtml(`${base}/help`)}</loc></url>\n${urls.join('\n')}${urls.length ? '\n' : ''}</urlset>\n`;
    return reply.type('application/xml; charset=utf-8').header('Cache-Control', 'no-cache').send(xml);
  });
}
