import type { FastifyInstance, FastifyReply } from 'fastify';
import { Invalid, NotFound } from '../lib/errors.js';
import { readForm } from '../lib/form.js';
import { positiveInt } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { createBrand, deleteBrand, updateBrand } from './brands.js';
import { findBrand, listBrands } from './queries.js';
import { brandSchema } from './schemas.js';

type Form = Record<string, string | undefined>;
type Id = { Params: { id: string } };

/** `/admin/brands`: sender name and address, portal title, colour and mail footer of each brand; one is the default. */
export default async function adminBrandRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('admin.access'));

  async function editPage(reply: FastifyReply, id: number, values?: Form, errors = {}, status = 200) {
    const brand = await findBrand(db, id);
    if (!brand) throw new NotFound();
    const stored = {
      name: brand.name, fromName: brand.from_name, fromAddress: brand.from_address, portalTitle: brand.portal_title,
      colour: brand.colour ?? '', mailFooter: brand.mail_footer, isDefault: String(brand.is_default), host: brand.host ?? '',
    };
    return reply.page('admin/brands-edit', { brand, values: values ?? stored, errors }, { status });
  }

  app.get('/admin/brands', async (_request, reply) => reply.page('admin/brands', { brands: await listBrands(db) }));
  app.get('/admin/brands/new', async (_request, reply) => reply.page('admin/brands-new', { values: {}, errors: {} }));

  app.post<{ Body: Form }>('/admin/brands', async (request, reply) => {
    try {
      await createBrand(db, request.actor!, readForm(brandSchema, request.body));
      return reply.seeOther('/admin/brands', 'admin.brands.created');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('admin/brands-new', { values: request.body ?? {}, errors: error.fields }, { status: 422 });
    }
  });

  app.get<Id>('/admin/brands/:id', async (request, reply) => editPage(reply, positiveInt(request.params.id) ?? -1));

  app.post<Id & { Body: Form }>('/admin/brands/:id', async (request, reply) => {
    const id = positiveInt(request.params.id) ?? -1;
    try {
      await updateBrand(db, request.actor!, id, readForm(brandSchema, request.body));
      return reply.seeOther('/admin/brands', 'admin.brands.saved');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return editPage(reply, id, request.body ?? {}, error.fields, 422);
    }
  });

  app.post<Id>('/admin/brands/:id/delete', async (request, reply) => {
    await deleteBrand(db, request.actor!, positiveInt(request.params.id) ?? -1);
    return reply.seeOther('/admin/brands', 'admin.brands.deleted');
  });
}
