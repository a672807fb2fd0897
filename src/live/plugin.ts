import fp from 'fastify-plugin';
import { LiveHub } from './hub.js';

declare module 'fastify' {
  interface FastifyInstance {
    live: LiveHub;
  }
}

/**
 * The live hub, one per app (made with the worker, whose live consumer feeds it: live/consumer.ts).
 * Open event streams would keep `app.close()` (and so a SIGTERM) waiting forever: they are ended in
 * preClose, before the server stops listening. After every write request the worker is nudged, so
 * what it committed reaches the open pages at once rather than at the next poll.
 */
export default fp(async (app) => {
  app.addHook('preClose', async () => app.live.closeAll());
  app.addHook('onResponse', async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') app.worker.nudge();
  });
}, { name: 'live' });
