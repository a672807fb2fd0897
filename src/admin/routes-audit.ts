import type { FastifyInstance } from 'fastify';
import { Malformed } from '../lib/errors.js';
import { positiveInt } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { auditActions, listAudit } from './audit-queries.js';

type Query = { action?: string; actor?: string; q?: string; before?: string };

/** `/admin/audit`: every admin change, newest first, searchable by action, by who, and by text. */
export default async function auditRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('admin.access'));

  app.get<{ Querystring: Query }>('/admin/audit', async (request, reply) => {
    const action = (request.query.action ?? '').trim().slice(0, 100);
    const actor = (request.query.actor ?? '').trim().slice(0, 100);
    const q = (request.query.q ?? '').trim().slice(0, 200);
    const before = request.query.before ? positiveInt(request.query.before) : undefined;
    if (before === null) throw new Malformed('errors.badCursor');
    const { entries, next } = await listAudit(db, { action, actor, text: q, before });
    const filters = { action, actor, q };
    return reply.page('admin/audit', { entries, next, filters }, {
      fragment: 'admin/_audit-table',
      pageOnly: async () => ({ actions: await auditActions(db) }),
    });
  });
}
