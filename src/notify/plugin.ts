import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { notifyContext } from './context.js';
import { deliverNotification } from './deliver.js';
import { NOTIFY_JOB, type NotifyEvent } from './notify.js';
import rateRoutes from './routes-rate.js';

/** Ticket mail: what it signs with, the worker's handler for deferred notifications, the rating pages. */
export default fp(async (app: FastifyInstance) => {
  const ctx = notifyContext(app.mail);
  app.worker.handleInTransaction(NOTIFY_JOB, (trx, payload) => deliverNotification(trx, ctx, payload as NotifyEvent));
  await app.register(rateRoutes);
}, { name: 'notify', dependencies: ['views', 'session'] });
