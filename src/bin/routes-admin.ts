import type { FastifyInstance } from 'fastify';
import { idParam } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { listBin, purgeFromBin, restoreFromBin } from './bin.js';

/** `/admin/bin`: the tickets deleted or marked as spam, each with "Restore" and "Delete for good" (admins only). */
export default async function adminBinRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('bin.manage'));

  app.get('/admin/bin', async (request, reply) => reply.page('admin/bin', await listBin(db, request.actor!)));

  app.post<{ Params: { id: string } }>('/admin/bin/:id/restore', async (request, reply) => {
    const id = idParam(request.params.id);
    await restoreFromBin(db, request.actor!, id);
    return reply.seeOther(`/agent/tickets/${id}`, 'bin.restored');
  });

  app.post<{ Params: { id: string } }>('/admin/bin/:id/purge', async (request, reply) => {
    await purgeFromBin(db, request.actor!, idParam(request.params.id), app.config.uploadsDir);
    return reply.seeOther('/admin/bin', 'bin.purged');
  });
}
