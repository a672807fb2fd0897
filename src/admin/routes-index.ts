import type { FastifyInstance } from 'fastify';
import { setupChecklist } from '../dashboard/checklist.js';
import { allow } from '../plugins/guards.js';

/** `/admin`: the admin's starting page, one entry per section. */
export default async function adminIndexRoutes(app: FastifyInstance) {
  app.addHook('preHandler', allow('admin.access'));
  app.get('/admin', async (_request, reply) =>
    reply.page('admin/index', { checklist: await setupChecklist(app.db, app.config), back: '/admin' }));
}
