import fp from 'fastify-plugin';
import { LiveHub } from './hub.js';

declare module 'fastify' {
  interface FastifyInstance {
    live: LiveHub;
  }
}

/**
 * The live hub, one per app. Open event streams would keep `app.close()` (and so a SIGTERM) waiting
 * forever: they are ended in preClose, before the server stops listening.
 */
export default fp(async (app) => {
  const hub = new LiveHub();
  app.decorate('live', hub);
  app.addHook('preClose', async () => hub.closeAll());
}, { name: 'live' });
