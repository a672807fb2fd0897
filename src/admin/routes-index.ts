import type { FastifyInstance } from 'fastify';
import { requireRole } from '../plugins/guards.js';

/** `/admin`: the admin's starting page, one entry per section. */
export default async function adminIndexRoutes(app: FastifyInstance) {
  app.addHook('preHandler', requireRole('admin'));
  app.get('/admin', async (_request, reply) => reply.page('admin/index', {}));
}
