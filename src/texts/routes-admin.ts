import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Invalid, NotFound } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { allow } from '../plugins/guards.js';
import { isScreen, listTexts, SCREENS } from './list.js';
import { textSchema } from './schemas.js';
import { checkText, previewText, reloadOverrides, resetText, saveText } from './texts.js';

type Params = { locale: string; key: string };
type Form = { value?: string; intent?: string };

/** `/admin/texts`: every catalogue text per language; override one (with a preview) or reset it. */
export default async function textsRoutes(app: FastifyInstance) {
  const { db, catalogue } = app;
  app.addHook('preHandler', allow('admin.access'));

  app.get<{ Querystring: { q?: string; screen?: string; all?: string; after?: string } }>('/admin/texts', async (request, reply) => {
    const { q = '', screen = '', all, after } = request.query;
    const filter = { q, screen: isScreen(screen) ? screen : null, all: all === '1', after };
    const { rows, next } = listTexts(catalogue, filter);
    // Each language by its own name ("Deutsch"), as language pickers do.
    const languages = catalogue.locales().map((locale) => ({ locale, name: catalogue.translator(locale)(`language.${locale}`) }));
    const query = (more: Record<string, string>) => new URLSearchParams(Object.entries({
      q, screen: filter.screen ?? '', all: filter.all ? '1' : '', ...more,
    }).filter(([, value]) => value !== '')).toString();
    return reply.page('admin/texts', {
      rows, q, filter, languages, screens: SCREENS.map((s) => s.id),
      more: next ? `/admin/texts?${query({ after: next })}` : null,
      everyText: `/admin/texts?${query({ all: '1' })}`,
    }, { fragment: 'admin/_texts-table' });
  });

  const editView = (request: FastifyRequest<{ Params: Params }>, value: string | null) => {
    const { key, locale } = request.params;
    if (!catalogue.has(key) || !catalogue.locales().includes(locale)) throw new NotFound();
    const override = catalogue.override(key, locale);
    const defaultText = catalogue.defaultText(key, locale) ?? catalogue.defaultText(key, 'en') ?? '';
    const current = value ?? override ?? defaultText;
    return { key, locale, languageName: catalogue.translator(locale)(`language.${locale}`), value: current, defaultText, overridden: override !== undefined, preview: previewText(key, current, locale), errors: {} };
  };

  app.get<{ Params: Params }>('/admin/texts/:locale/:key', async (request, reply) => reply.page('admin/texts-edit', editView(request, null)));

  app.post<{ Params: Params; Body: Form }>('/admin/texts/:locale/:key', async (request, reply) => {
    const { key, locale } = request.params;
    const typed = String(request.body?.value ?? '');
    try {
      const input = { key, locale, ...parseForm(textSchema, request.body) };
      if (request.body?.intent === 'preview') {
        checkText(catalogue, input);
        return reply.page('admin/texts-edit', { ...editView(request, typed), previewing: true }, { fragment: 'admin/_texts-preview' });
      }
      await saveText(db, request.actor!, catalogue, input);
      await reloadOverrides(db, catalogue);
      return reply.seeOther(`/admin/texts?q=${encodeURIComponent(key)}`, 'admin.texts.saved');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const message = request.t(error.message, error.params);
      return reply.page('admin/texts-edit', { ...editView(request, typed), errors: error.fields, message },
        { status: 422, fragment: 'admin/_texts-preview' });
    }
  });

  app.post<{ Params: Params }>('/admin/texts/:locale/:key/reset', async (request, reply) => {
    const { key, locale } = request.params;
    await resetText(db, request.actor!, catalogue, { key, locale });
    await reloadOverrides(db, catalogue);
    return reply.seeOther(`/admin/texts?q=${encodeURIComponent(key)}`, 'admin.texts.reset');
  });
}
