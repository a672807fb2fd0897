import type { FastifyInstance } from 'fastify';
import { notifyContext } from '../notify/context.js';
import { CHAT_DIGEST_JOB } from './chat.js';
import { runChatDigest, type DigestJob } from './digest.js';
import agentChatRoutes from './routes-agent.js';
import portalChatRoutes from './routes-portal.js';

/** The messenger: its routes for both sides, and the worker's digest mails (which ask the live hub who watches). */
export default async function chat(app: FastifyInstance) {
  const ctx = notifyContext(app.mail);
  app.worker.handle(CHAT_DIGEST_JOB, (payload) => app.db.transaction().execute((trx) => runChatDigest(trx, ctx, app.live, payload as DigestJob)));
  await app.register(agentChatRoutes);
  await app.register(portalChatRoutes);
}
