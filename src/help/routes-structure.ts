import type { FastifyInstance } from 'fastify';
import { Invalid } from '../lib/errors.js';
import { readForm } from '../lib/form.js';
import { idParam } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { categoryTree, findCategory, findSection } from './queries.js';
import { brandChoices } from './staff-queries.js';
import { categorySchema, sectionSchema, treeNodeInput, treeNodeValues } from './schemas.js';
import { deleteCategory, deleteSection, saveCategory, saveSection } from './structure.js';
import { HELP_LOCALES, parseTexts } from './text.js';

type Form = Record<string, string | undefined>;
type Params = { Params: { id: string } };

/** `/agent/help/categories`: the help center's categories and their sections, named per language. */
export default async function helpStructureRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('help.manage'));

  const page = async (locale: string | undefined, extra: Record<string, unknown> = {}) => ({
    tree: await categoryTree(db, locale ?? 'en', null), brands: await brandChoices(db), locales: HELP_LOCALES, values: {}, errors: {}, sectionValues: {}, sectionErrors: {}, ...extra,
  });

  app.get('/agent/help/categories', async (request, reply) => reply.page('help/structure', await page(request.t.locale)));

  app.post<{ Body: Form }>('/agent/help/categories', async (request, reply) => {
    const form = request.body ?? {};
    const { value, errors } = readForm(categorySchema, form);
    try {
      await saveCategory(db, request.actor!, null, { ...treeNodeInput(value), brandId: value.brandId }, errors);
      return reply.seeOther('/agent/help/categories', 'help.categorySaved');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('help/structure', await page(request.t.locale, { values: form, errors: error.fields }), { status: 422 });
    }
  });

  app.get<Params>('/agent/help/categories/:id', async (request, reply) => {
    const category = await findCategory(db, idParam(request.params.id));
    const values = { ...treeNodeValues(category.position, parseTexts(category.texts)), brandId: category.brand_id === null ? '' : String(category.brand_id) };
    return reply.page('help/node-form', { kind: 'category', node: category, values, errors: {}, locales: HELP_LOCALES, brands: await brandChoices(db) });
  });

  app.post<Params & { Body: Form }>('/agent/help/categories/:id', async (request, reply) => {
    const id = idParam(request.params.id);
    const form = request.body ?? {};
    const { value, errors } = readForm(categorySchema, form);
    try {
      await saveCategory(db, request.actor!, id, { ...treeNodeInput(value), brandId: value.brandId }, errors);
      return reply.seeOther('/agent/help/categories', 'help.categorySaved');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const category = await findCategory(db, id);
      return reply.page('help/node-form', { kind: 'category', node: category, values: form, errors: error.fields, locales: HELP_LOCALES, brands: await brandChoices(db) }, { status: 422 });
    }
  });

  app.post<Params>('/agent/help/categories/:id/delete', async (request, reply) => {
    await deleteCategory(db, request.actor!, idParam(request.params.id));
    return reply.seeOther('/agent/help/categories', 'help.categoryDeleted');
  });

  app.post<{ Body: Form }>('/agent/help/sections', async (request, reply) => {
    const form = request.body ?? {};
    const { value, errors } = readForm(sectionSchema, form);
    try {
      await saveSection(db, request.actor!, null, { ...treeNodeInput(value), categoryId: value.categoryId }, errors);
      return reply.seeOther('/agent/help/categories', 'help.sectionSaved');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('help/structure', await page(request.t.locale, { sectionValues: form, sectionErrors: error.fields }), { status: 422 });
    }
  });

  app.get<Params>('/agent/help/sections/:id', async (request, reply) => {
    const section = await findSection(db, idParam(request.params.id));
    const values = { ...treeNodeValues(section.position, parseTexts(section.texts)), categoryId: String(section.category_id) };
    return reply.page('help/node-form', { kind: 'section', node: section, values, errors: {}, locales: HELP_LOCALES, tree: await categoryTree(db, request.t.locale ?? 'en', null) });
  });

  app.post<Params & { Body: Form }>('/agent/help/sections/:id', async (request, reply) => {
    const id = idParam(request.params.id);
    const form = request.body ?? {};
    const { value, errors } = readForm(sectionSchema, form);
    try {
      await saveSection(db, request.actor!, id, { ...treeNodeInput(value), categoryId: value.categoryId }, errors);
      return reply.seeOther('/agent/help/categories', 'help.sectionSaved');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const section = await findSection(db, id);
      return reply.page('help/node-form', { kind: 'section', node: section, values: form, errors: error.fields, locales: HELP_LOCALES, tree: await categoryTree(db, request.t.locale ?? 'en', null) }, { status: 422 });
    }
  });

  app.post<Params>('/agent/help/sections/:id/delete', async (request, reply) => {
    await deleteSection(db, request.actor!, idParam(request.params.id));
    return reply.seeOther('/agent/help/categories', 'help.sectionDeleted');
  });
}
