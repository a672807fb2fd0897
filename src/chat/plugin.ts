import type { FastifyInstance } from 'fastify';
import { notifyContext } from '../notify/context.js';
import { CHAT_DIGEST_JOB } from './chat.js';
import { runChatDigest, type DigestJob } from './digest.js';

/**
 * The messenger's worker part: the digest mails (which ask the live hub who watches). Its routes
 * redraw ticket pages, so they live in the page layers: src/agent/routes-chat.ts and
 * src/portal/routes-chat.ts.
 */
export default async function chat(app: FastifyInstance) {
  const ctx = notifyContext(app.mail);
  app.worker.handleInTransaction(CHAT_DIGEST_JOB, (trx, payload) => runChatDigest(trx, ctx, app.live, payload as DigestJob));
}
