import type { FastifyInstance } from 'fastify';
import { Invalid } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { idParam } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { newTokenSchema } from './schemas.js';
import { createApiToken, listAllTokens, listOwnTokens, revokeApiToken } from './tokens.js';

type Form = Record<string, string | undefined>;

/** Personal API tokens: one's own on the profile's "API tokens" page; every token on the admins' page. */
export default async function apiTokenRoutes(app: FastifyInstance) {
  const { db } = app;
  const own = { preHandler: allow('api.use') };
  const admins = { preHandler: allow('api.tokens.manage') };

  app.get('/account/tokens', own, async (request, reply) => reply.page('account/tokens', {
    tokens: await listOwnTokens(db, request.actor!.id), values: { scope: 'read' }, errors: {},
  }));

  // The new token is shown on this answer, once: not in a redirect's address, nor in a flash cookie.
  app.post<{ Body: Form }>('/account/tokens', own, async (request, reply) => {
    const form = request.body ?? {};
    try {
      const { token } = await createApiToken(db, request.actor!, request.actor!.id, parseForm(newTokenSchema, form));
      return reply.page('account/tokens', { tokens: await listOwnTokens(db, request.actor!.id), values: { scope: 'read' }, errors: {}, created: token }, { status: 201 });
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('account/tokens', { tokens: await listOwnTokens(db, request.actor!.id), values: form, errors: error.fields }, { status: 422 });
    }
  });

  app.post<{ Params: { id: string } }>('/account/tokens/:id/revoke', own, async (request, reply) => {
    await revokeApiToken(db, request.actor!, idParam(request.params.id));
    return reply.seeOther('/account/tokens', 'api.tokens.revoked');
  });

  app.get('/admin/tokens', admins, async (_request, reply) => reply.page('admin/tokens', { tokens: await listAllTokens(db) }));

  app.post<{ Params: { id: string } }>('/admin/tokens/:id/revoke', admins, async (request, reply) => {
    await revokeApiToken(db, request.actor!, idParam(request.params.id));
    return reply.seeOther('/admin/tokens', 'api.tokens.revoked');
  });
}
