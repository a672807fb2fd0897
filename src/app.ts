import { AsyncResource } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { sql } from 'kysely';
import type { Config } from './config.js';
import { requestScope } from './db/change-cache.js';
import type { Db } from './db/connect.js';
import { registerJobs, ROUTES, scheduleRecurringJobs } from './features.js';
import { Catalogue } from './i18n.js';
import { CONSUMERS } from './events/consumers.js';
import { noteEventElsewhere } from './events/record.js';
import { LiveHub } from './live/hub.js';
import { PresenceShare } from './live/presence-share.js';
import { EVENTS_CHANNEL, PRESENCE_CHANNEL } from './db/dialect.js';
import type { Listener } from './db/listen.js';
import { Worker } from './jobs/worker.js';
import { loggerOptions } from './log.js';
import { createMailContext, type MailContext } from './mail/context.js';
import livePlugin from './live/plugin.js';
import notifyPlugin from './notify/plugin.js';
import csrf from './plugins/csrf.js';
import errors from './plugins/errors.js';
import forms from './plugins/forms.js';
import security from './plugins/security.js';
import session from './plugins/session.js';
import staticFiles from './plugins/static-files.js';
import views from './plugins/views.js';
import { homeFor } from './users/actor.js';
import './plugins/types.js';

declare module 'fastify' {
  interface FastifyInstance {
    worker: Worker;
    mail: MailContext;
  }
}

/** Each request's way back into its scope (see the first hooks in buildApp). */
const scopes = new WeakMap<object, AsyncResource>();

export interface AppOptions {
  config: Config;
  db: Db;
  /** Run the job worker (the server does; tests drive `app.worker.drain()` themselves). */
  startWorker?: boolean;
  /** Pino logger options, or false for none (tests). */
  logger?: boolean | object;
  /** Told of every route as it is registered (the authorisation matrix test lists them this way). */
  onRoute?: (route: RouteOptions) => void;
}

/**
 * Requests are checked with zod (each feature's schemas.ts), never with Fastify's JSON schemas. Told
 * so, Fastify does not load its JSON-schema compilers (ajv and fast-json-stringify's, ~110 modules)
 * at every start; a route declared with a JSON schema stops the start with this error.
 */
function noJsonSchemas(): never {
  throw new Error('Deskbell checks requests with zod (schemas.ts), not with Fastify JSON schemas: declare the route without `schema`');
}

/** The whole app as one plugin tree: the server listens to it, tests `inject` into it. */
export async function buildApp({ config, db, startWorker = false, logger, onRoute }: AppOptions): Promise<FastifyInstance> {
  // Signs CSRF tokens and links: set by loadConfig (SQLite) or openDatabase (PostgreSQL), never empty.
  if (!config.secretKey) throw new Error('no secret key: open the database with openDatabase() before building the app');
  const app = Fastify({
    logger: logger ?? await loggerOptions(config),
    trustProxy: config.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    schemaController: { compilersFactory: { buildValidator: noJsonSchemas, buildSerializer: noJsonSchemas } },
  });
  if (onRoute) app.addHook('onRoute', onRoute);
  // Before every other hook: each request checks the database's change marker once (change-cache.ts).
  // Reading a body resumes in the socket's context, so the scope is entered again after it.
  app.addHook('onRequest', (request, _reply, done) => requestScope(() => {
    scopes.set(request, new AsyncResource('deskbell.request'));
    done();
  }));
  app.addHook('preValidation', (request, _reply, done) => {
    const scope = scopes.get(request);
    if (scope) scope.runInAsyncScope(done);
    else done();
  });

  const catalogue = new Catalogue();
  catalogue.setOverrides(await db.selectFrom('texts').selectAll().execute());
  app.decorate('config', config);
  app.decorate('db', db);
  app.decorate('catalogue', catalogue);
  app.decorate('mail', createMailContext(config, catalogue));

  app.decorate('live', new LiveHub());
  const worker = new Worker(db, {
    pollMs: config.jobPollMs, retryBaseMs: config.jobRetryBaseMs, log: app.log, consumers: CONSUMERS, context: { mail: app.mail, live: app.live },
  });
  registerJobs(worker, { config, db });
  app.decorate('worker', worker);
  if (startWorker) {
    app.addHook('onReady', async () => {
      await scheduleRecurringJobs(db);
      worker.start();
    });
  }
  app.addHook('onClose', async () => worker.stop());
  if (config.database.kind === 'postgres') {
    // Several instances share the stream: a commit on any of them wakes this one's live consumer;
    // and they tell each other who has which ticket open. One LISTEN connection carries both.
    const { url } = config.database;
    const presence = new PresenceShare({ db, presence: app.live.presence, log: app.log });
    let listener: Listener | null = null;
    app.addHook('onReady', async () => {
      presence.start();
      const { listen } = await import('./db/listen.js'); // pg: only a desk on PostgreSQL loads it
      listener = listen({
        url, log: app.log,
        channels: { [EVENTS_CHANNEL]: (payload) => { noteEventElsewhere(payload); worker.nudge(); }, [PRESENCE_CHANNEL]: (payload) => presence.receive(payload) },
      });
    });
    app.addHook('onClose', async () => {
      await presence.stop();
      await listener?.close();
    });
  }

  await app.register(fastifyCookie);
  await app.register(forms);
  await app.register(staticFiles);
  await app.register(security);
  await app.register(session);
  await app.register(csrf);
  await app.register(views, { production: !config.development });
  await app.register(errors);
  await app.register(notifyPlugin);
  await app.register(livePlugin);

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

  for (const routes of ROUTES) {
    // Named, Fastify takes the name as is; unnamed, it looks for the function among every module in
    // require.cache, for each of these plugins (about a tenth of building the app).
    (routes as unknown as Record<symbol, string>)[Symbol.for('fastify.display-name')] ??= routes.name;
    await app.register(routes);
  }
  return app;
}
