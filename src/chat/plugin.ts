import type { FastifyInstance } from 'fastify';
import { notifyContext } from '../notify/context.js';
import { CHAT_DIGEST_JOB } from './chat.js';
import { runChatDigest, type DigestJob } from './digest.js';
import agentChatRoutes from './routes-agent.js';
import portalChatRoutes from './routes-portal.js';

/** The messenger: its routes for both sides, and the worker's digest mails (which ask the live hub who watches). */
export default async function chat(app: FastifyInstance) {
  const ctx = notifyContext(app.mail);
  app.worker.handleInTransaction(CHAT_DIGEST_JOB, (trx, payload) => runChatDigest(trx, ctx, app.live, payload as DigestJob));
  await app.register(agentChatRoutes);
  await app.register(portalChatRoutes);
}
