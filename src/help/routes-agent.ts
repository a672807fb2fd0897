import type { FastifyInstance, FastifyRequest } from 'fastify';
import { discardUploads, readMultipartForm, type MultipartForm, type Rejection } from '../attachments/uploads.js';
import { Invalid } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { idParam } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { createArticle, deleteArticle, restoreRevision, saveArticle, setArticleState } from './articles.js';
import { imagePolicy, listArticleImages } from './images.js';
import { publicationSchema, readArticleForm } from './schemas.js';
import { articleForEditor, editorChoices, listArticlesForStaff, readStaffFilters } from './staff-queries.js';
import { articlePath, isHelpLocale, localized, parseTexts } from './text.js';

type Form = Record<string, string | undefined>;
type Params = { Params: { id: string } };

/**
 * `/agent/help`: staff write the help center's articles (issue 23, point 1): the list with its
 * filters, the editor per language with a preview and the revisions, publishing and restoring.
 */
export default async function helpAgentRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('help.manage'));

  const formData = (locale: string) => editorChoices(db, locale);

  const staffLocale = (locale: string | undefined) => (isHelpLocale(locale) ? locale : 'en');

  app.get<{ Querystring: Record<string, unknown> }>('/agent/help', async (request, reply) => {
    const filters = readStaffFilters(request.query);
    const locale = staffLocale(request.t.locale);
    const articles = (await listArticlesForStaff(db, locale, filters)).map((row) => ({ ...row, section: localized(parseTexts(row.section_texts), locale).name }));
    return reply.page('help/staff-list', { articles, filters, articlePath }, { fragment: 'help/_staff-table' });
  });

  app.get<{ Querystring: Form }>('/agent/help/articles/new', async (request, reply) => {
    const locale = staffLocale(request.t.locale);
    const values = { sectionId: request.query.section ?? '', brandId: '', visibility: 'public', locale, title: '', body: '' };
    return reply.page('help/editor', { values, errors: {}, ...(await formData(locale)) });
  });

  /**
   * The editor's form, with the image it may carry (multipart; a plain form works too). A refused
   * file is a mistake of the form: nothing is saved, the text comes back as typed, the reason said.
   */
  async function readEditorForm(request: FastifyRequest) {
    const form = await readMultipartForm(request, request.actor!, await imagePolicy(db));
    const { value, errors } = readArticleForm(form.fields);
    if (form.rejected.length > 0) errors.image ??= 'help.errors.image';
    return { form, value, errors };
  }

  /** A try that saved nothing: its uploads go (a file field cannot be filled in again anyway); the form's mistakes come back. */
  async function refused(request: FastifyRequest, error: unknown, form: MultipartForm) {
    await discardUploads(db, app.config.uploadsDir, form.uploads);
    if (!(error instanceof Invalid)) throw error;
    return { values: form.fields, errors: error.fields, message: request.t(error.message, error.params), rejected: form.rejected };
  }

  app.post('/agent/help/articles', { config: { multipartCsrf: true } }, async (request, reply) => {
    const { form, value, errors } = await readEditorForm(request);
    try {
      const id = await createArticle(db, request.actor!, value, errors, form.uploads);
      return reply.seeOther(`/agent/help/articles/${id}?locale=${value.locale}`, 'help.created');
    } catch (error) {
      const state = await refused(request, error, form);
      return reply.page('help/editor', { ...state, ...(await formData(staffLocale(request.t.locale))) }, { status: 422 });
    }
  });

  async function editorPage(id: number, locale: string, override?: { values: Form; errors: Record<string, string>; message: string; rejected: Rejection[] }) {
    const editor = await articleForEditor(db, id, locale);
    const text = editor.texts[locale];
    const fallback = text ?? editor.texts.en ?? Object.values(editor.texts)[0];
    const values = override?.values ?? {
      sectionId: String(editor.article.section_id), brandId: editor.article.brand_id === null ? '' : String(editor.article.brand_id), visibility: editor.article.visibility, locale,
      title: text?.title ?? '', body: text?.body ?? '',
    };
    return {
      ...editor, text, locale, values, errors: override?.errors ?? {}, message: override?.message, rejected: override?.rejected ?? [],
      images: await listArticleImages(db, id),
      publicPath: fallback ? articlePath(editor.article.id, fallback.title) : null, ...(await formData(locale)),
    };
  }

  app.get<Params & { Querystring: Form }>('/agent/help/articles/:id', async (request, reply) => {
    const id = idParam(request.params.id);
    const locale = staffLocale(request.query.locale ?? request.t.locale);
    return reply.page('help/editor', await editorPage(id, locale));
  });

  app.post<Params>('/agent/help/articles/:id', { config: { multipartCsrf: true } }, async (request, reply) => {
    const id = idParam(request.params.id);
    const { form, value, errors } = await readEditorForm(request);
    try {
      await saveArticle(db, request.actor!, id, value, errors, form.uploads);
      return reply.seeOther(`/agent/help/articles/${id}?locale=${value.locale}`, 'help.saved');
    } catch (error) {
      const state = await refused(request, error, form);
      return reply.page('help/editor', await editorPage(id, staffLocale(form.fields.locale), state), { status: 422 });
    }
  });

  app.post<Params & { Body: Form }>('/agent/help/articles/:id/publication', async (request, reply) => {
    const id = idParam(request.params.id);
    const { state } = parseForm(publicationSchema, request.body);
    await setArticleState(db, request.actor!, id, state);
    return reply.seeOther(`/agent/help/articles/${id}`, state === 'published' ? 'help.published' : 'help.unpublished');
  });

  app.post<Params>('/agent/help/revisions/:id/restore', async (request, reply) => {
    const { articleId, locale } = await restoreRevision(db, request.actor!, idParam(request.params.id));
    return reply.seeOther(`/agent/help/articles/${articleId}?locale=${locale}`, 'help.restored');
  });

  app.post<Params>('/agent/help/articles/:id/delete', async (request, reply) => {
    await deleteArticle(db, request.actor!, idParam(request.params.id), app.config.uploadsDir);
    return reply.seeOther('/agent/help', 'help.deleted');
  });
}
