import type { FastifyInstance, FastifyReply } from 'fastify';
import { Invalid, NotFound } from '../lib/errors.js';
import { readForm } from '../lib/form.js';
import { allow } from '../plugins/guards.js';
import { personId } from '../people/routes.js';
import { callbackUrl, forgetDiscovery } from './oidc.js';
import { createProvider, deleteProvider, findProvider, listProviders, providerValues, updateProvider, type Provider } from './providers.js';
import { NEW_PERSON_ROLES, providerSchema } from './schemas.js';

type Form = Record<string, string | undefined>;

/** `/admin/sso`: the single sign-on providers (OpenID Connect). Admins only; every change audited. */
export default async function ssoAdminRoutes(app: FastifyInstance) {
  const { db } = app;
  const admins = { preHandler: allow('admin.access') };

  const formPage = (reply: FastifyReply, provider: Provider | null, values: Record<string, string | undefined>, errors: Record<string, string>, status = 200) =>
    reply.page('admin/sso-form', {
      provider, values, errors, roles: NEW_PERSON_ROLES,
      redirectUri: provider ? callbackUrl(app.mail.baseUrl, provider.id) : callbackUrl(app.mail.baseUrl, 0).replace('/0/', '/{id}/'),
    }, { status });

  app.get('/admin/sso', admins, async (_request, reply) => {
    return reply.page('admin/sso', { providers: await listProviders(db) });
  });

  app.get('/admin/sso/new', admins, async (_request, reply) => formPage(reply, null, providerValues(null), {}));

  app.post<{ Body: Form }>('/admin/sso', admins, async (request, reply) => {
    const form = request.body ?? {};
    try {
      const id = await createProvider(db, request.actor!, readForm(providerSchema, form));
      return reply.seeOther(`/admin/sso/${id}`, 'sso.admin.created');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return formPage(reply, null, { ...form, clientSecret: '' }, error.fields, 422);
    }
  });

  app.get<{ Params: { id: string } }>('/admin/sso/:id', admins, async (request, reply) => {
    const provider = await findProvider(db, personId(request.params));
    if (!provider) throw new NotFound();
    return formPage(reply, provider, providerValues(provider), {});
  });

  app.post<{ Params: { id: string }; Body: Form }>('/admin/sso/:id', admins, async (request, reply) => {
    const id = personId(request.params);
    const form = request.body ?? {};
    const input = readForm(providerSchema, form);
    const provider = await findProvider(db, id);
    if (!provider) throw new NotFound();
    try {
      await updateProvider(db, request.actor!, id, input);
      forgetDiscovery(id);
      return reply.seeOther(`/admin/sso/${id}`, 'sso.admin.saved');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return formPage(reply, provider, { ...form, clientSecret: '' }, error.fields, 422);
    }
  });

  app.post<{ Params: { id: string } }>('/admin/sso/:id/delete', admins, async (request, reply) => {
    const id = personId(request.params);
    await deleteProvider(db, request.actor!, id);
    forgetDiscovery(id);
    return reply.seeOther('/admin/sso', 'sso.admin.deleted');
  });
}
