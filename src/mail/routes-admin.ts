import type { FastifyInstance } from 'fastify';
import type { JobState } from '../db/schema.js';
import { Malformed, NotFound } from '../lib/errors.js';
import { positiveInt } from '../lib/validate.js';
import { listJobs, retryJob } from '../jobs/queries.js';
import { allow } from '../plugins/guards.js';
import { MAIL_JOB, type OutgoingMail } from './outbox.js';

const STATES: JobState[] = ['queued', 'done', 'dead'];

export default async function outboxRoutes(app: FastifyInstance) {
  const { db, config } = app;
  app.addHook('preHandler', allow('admin.access'));

  app.get<{ Querystring: { state?: string; before?: string } }>('/admin/outbox', async (request, reply) => {
    const { state, before } = request.query;
    if (state !== undefined && state !== '' && !STATES.includes(state as JobState)) throw new Malformed('errors.badFilter');
    const beforeId = before ? positiveInt(before) : undefined;
    if (beforeId === null) throw new Malformed('errors.badCursor');
    const jobs = await listJobs(db, MAIL_JOB, { state: (state || undefined) as JobState | undefined, beforeId, limit: 50 });
    const mails = jobs.map((job) => ({ ...job, mail: JSON.parse(job.payload) as OutgoingMail }));
    const last = jobs.length === 50 ? jobs[jobs.length - 1]?.id : undefined;
    return reply.page('admin/outbox', { mails, state: state ?? '', next: last, smtpConfigured: config.smtpUrl !== null },
      { fragment: 'admin/_outbox-table' });
  });

  app.post<{ Params: { id: string } }>('/admin/outbox/:id/retry', async (request, reply) => {
    const id = positiveInt(request.params.id);
    if (!id || !(await retryJob(db, id, MAIL_JOB))) throw new NotFound();
    return reply.seeOther('/admin/outbox', 'outbox.retried');
  });
}
