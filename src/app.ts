import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { assets } from './assets.js';
import { runUploadCleanup, scheduleUploadCleanup, UPLOAD_CLEANUP_JOB } from './attachments/cleanup.js';
import attachmentRoutes from './attachments/routes.js';
import { MAINTENANCE_JOB, runAuthMaintenance, scheduleAuthMaintenance } from './auth/maintenance.js';
import authRoutes from './auth/routes.js';
import passwordRoutes from './auth/routes-password.js';
import accountRoutes from './users/routes-account.js';
import customerRoutes from './users/routes-customers.js';
import type { Config } from './config.js';
import type { Db } from './db/connect.js';
import { Catalogue } from './i18n.js';
import { Worker } from './jobs/worker.js';
import { MAIL_JOB, smtpSender } from './mail/outbox.js';
import outboxRoutes from './mail/routes-admin.js';
import mailInRoutes from './mailin/routes.js';
import notifyPlugin from './notify/plugin.js';
import statusRoutes from './statuses/routes-admin.js';
import adminIndexRoutes from './admin/routes-index.js';
import auditRoutes from './admin/routes-audit.js';
import settingsRoutes from './settings/routes-admin.js';
import textsRoutes from './texts/routes-admin.js';
import { AUTOCLOSE_JOB, runAutoCloseJob, scheduleAutoClose } from './tickets/autoclose.js';
import peopleRoutes from './people/routes.js';
import personRecordRoutes from './people/routes-records.js';
import organizationRoutes from './organizations/routes.js';
import adminGroupRoutes from './groups/routes-admin.js';
import teamRoutes from './groups/routes-team.js';
import adminBrandRoutes from './brands/routes-admin.js';
import adminServiceRoutes from './services/routes-admin.js';
import catalogTypeRoutes from './catalog/routes-types.js';
import catalogFieldRoutes from './catalog/routes-fields.js';
import { createMailContext, type MailContext } from './mail/context.js';
import csrf from './plugins/csrf.js';
import errors from './plugins/errors.js';
import forms from './plugins/forms.js';
import security from './plugins/security.js';
import session from './plugins/session.js';
import views from './plugins/views.js';
import { homeFor } from './users/actor.js';
import agentTicketRoutes from './tickets/routes-agent.js';
import portalHomeRoutes from './portal/routes-home.js';
import portalTicketRoutes from './portal/routes-ticket.js';
import portalSubmitRoutes from './portal/routes-submit.js';
import './plugins/types.js';

declare module 'fastify' {
  interface FastifyInstance {
    worker: Worker;
    mail: MailContext;
  }
}

export interface AppOptions {
  config: Config;
  db: Db;
  /** Run the job worker (the server does; tests drive `app.worker.drain()` themselves). */
  startWorker?: boolean;
  /** Pino logger options, or false for none (tests). */
  logger?: boolean | object;
}

/** The whole app as one plugin tree: the server listens to it, tests `inject` into it. */
export async function buildApp({ config, db, startWorker = false, logger }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ?? { level: config.logLevel },
    trustProxy: config.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
  });

  const catalogue = new Catalogue();
  catalogue.setOverrides(await db.selectFrom('texts').selectAll().execute());
  app.decorate('config', config);
  app.decorate('db', db);
  app.decorate('catalogue', catalogue);
  app.decorate('mail', createMailContext(config.baseUrl, catalogue, !config.development));

  const worker = new Worker(db, { pollMs: config.jobPollMs, retryBaseMs: config.jobRetryBaseMs, log: app.log });
  if (config.smtpUrl) worker.handle(MAIL_JOB, smtpSender(config.smtpUrl));
  worker.handle(MAINTENANCE_JOB, () => runAuthMaintenance(db));
  worker.handle(UPLOAD_CLEANUP_JOB, () => runUploadCleanup(db, config.uploadsDir));
  worker.handle(AUTOCLOSE_JOB, () => runAutoCloseJob(db, app.mail));
  app.decorate('worker', worker);
  if (startWorker) {
    app.addHook('onReady', async () => {
      await scheduleAuthMaintenance(db);
      await scheduleUploadCleanup(db);
      await scheduleAutoClose(db);
      worker.start();
    });
  }
  app.addHook('onClose', async () => worker.stop());

  await app.register(fastifyCookie);
  await app.register(forms);
  await app.register(fastifyStatic, { root: assets.public, prefix: '/public/', maxAge: '1h', index: false });
  await app.register(security);
  await app.register(session);
  await app.register(csrf);
  await app.register(views, { production: !config.development });
  await app.register(errors);
  await app.register(notifyPlugin);

  app.get('/healthz', async (_request, reply) => {
    try {
      await sql`select 1`.execute(db);
      return reply.type('application/json').send({ status: 'ok' });
    } catch {
      return reply.code(503).type('application/json').send({ status: 'unavailable' });
    }
  });
  // Browsers ask for /favicon.ico on their own; the pages link the SVG icon.
  app.get('/favicon.ico', async (_request, reply) => reply.redirect('/public/favicon.svg', 301));
  app.get('/', async (request, reply) => reply.seeOther(request.actor ? homeFor(request.actor) : '/login'));

  await app.register(authRoutes);
  await app.register(passwordRoutes);
  await app.register(accountRoutes);
  await app.register(customerRoutes);
  await app.register(agentTicketRoutes);
  await app.register(portalHomeRoutes);
  await app.register(portalSubmitRoutes);
  await app.register(portalTicketRoutes);
  await app.register(adminIndexRoutes);
  await app.register(peopleRoutes);
  await app.register(personRecordRoutes);
  await app.register(organizationRoutes);
  await app.register(adminGroupRoutes);
  await app.register(adminBrandRoutes);
  await app.register(adminServiceRoutes);
  await app.register(teamRoutes);
  await app.register(catalogTypeRoutes);
  await app.register(catalogFieldRoutes);
  await app.register(outboxRoutes);
  await app.register(mailInRoutes);
  await app.register(settingsRoutes);
  await app.register(textsRoutes);
  await app.register(auditRoutes);
  await app.register(statusRoutes);
  await app.register(attachmentRoutes);
  return app;
}
