import type { FastifyInstance } from 'fastify';
import { allow } from '../plugins/guards.js';
import { can } from '../policy/can.js';
import { dismissChecklist, setupChecklist } from './checklist.js';
import { dashboardFor } from './dashboard.js';
import { dashboardView } from './view.js';

/** `/agent`: the agents' home. Admins also see the set-up checklist until it is done or dismissed. */
export default async function dashboardRoutes(app: FastifyInstance) {
  const { db, config } = app;
  const staff = { preHandler: allow('desk.use') };
  const admin = { preHandler: allow('admin.access') };

  app.get('/agent', staff, async (request, reply) => {
    const actor = request.actor!;
    const figures = dashboardView(await dashboardFor(db, actor), request.t);
    const checklist = can(actor, 'setup.checklist') ? await setupChecklist(db, config) : null;
    return reply.page('dashboard/index', { figures, checklist, back: '/agent' });
  });

  app.post<{ Body: { back?: string } }>('/admin/setup/dismissal', admin, async (request, reply) => {
    await dismissChecklist(db);
    return reply.seeOther(request.body?.back === '/admin' ? '/admin' : '/agent', 'dashboard.checklist.dismissed');
  });
}
