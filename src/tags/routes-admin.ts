import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Invalid } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { positiveInt } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { getSetting } from '../settings/settings.js';
import { tagsWithCounts } from './queries.js';
import { mergeTagSchema, newTagSchema, renameTagSchema } from './schemas.js';
import { createTag, MANAGED_SETTING, mergeTag, renameTag } from './tags.js';

type Form = Record<string, string | undefined>;
type Id = { Params: { id: string }; Body: Form };

/** `/admin/tags`: every tag with its ticket count; add one to the managed list, rename one, merge one into another. */
export default async function adminTagRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('tags.manage'));

  /** The page, with a refused form's values and errors kept (`form` names which: `new`, or a tag's id). */
  async function page(reply: FastifyReply, failed: { form: string; values: Form; errors: Record<string, string>; message: string } | null = null) {
    const tags = await tagsWithCounts(db);
    const managed = (await getSetting(db, MANAGED_SETTING)) === '1';
    return reply.page('admin/tags', { tags, managed, failed }, { status: failed ? 422 : 200 });
  }

  const tagId = (request: FastifyRequest<Id>) => positiveInt(request.params.id) ?? -1;
  const refused = (reply: FastifyReply, request: FastifyRequest<{ Body: Form }>, form: string, error: unknown) => {
    if (!(error instanceof Invalid)) throw error;
    return page(reply, { form, values: request.body ?? {}, errors: error.fields, message: request.t(error.message, error.params) });
  };

  app.get('/admin/tags', async (_request, reply) => page(reply));

  app.post<{ Body: Form }>('/admin/tags', async (request, reply) => {
    try {
      await createTag(db, request.actor!, parseForm(newTagSchema, request.body).name);
      return reply.seeOther('/admin/tags', 'tags.admin.created');
    } catch (error) {
      return refused(reply, request, 'new', error);
    }
  });

  app.post<Id>('/admin/tags/:id/rename', async (request, reply) => {
    try {
      await renameTag(db, request.actor!, tagId(request), parseForm(renameTagSchema, request.body).name);
      return reply.seeOther('/admin/tags', 'tags.admin.renamed');
    } catch (error) {
      return refused(reply, request, `rename-${tagId(request)}`, error);
    }
  });

  app.post<Id>('/admin/tags/:id/merge', async (request, reply) => {
    try {
      const count = await mergeTag(db, request.actor!, tagId(request), parseForm(mergeTagSchema, request.body).into);
      return reply.seeOther('/admin/tags', 'tags.admin.merged', { params: { count } });
    } catch (error) {
      return refused(reply, request, `merge-${tagId(request)}`, error);
    }
  });
}
