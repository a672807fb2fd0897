import type { FastifyInstance } from 'fastify';
import { Invalid, NotFound } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { positiveInt } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { agentTicketDetails } from './ticket-page.js';
import { videoSessionSchema } from '../video/schemas.js';
import { createVideoSession } from '../video/video.js';

type Form = Record<string, string | undefined>;

/** Staff open video sessions from the ticket's Video Sessions tab (the tab itself is assembled in agent/ticket-page). */
export default async function videoRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('desk.use'));

  app.post<{ Params: { id: string }; Body: Form }>('/agent/tickets/:id/videos', async (request, reply) => {
    const id = positiveInt(request.params.id);
    if (id === null) throw new NotFound();
    const form = request.body ?? {};
    try {
      const input = parseForm(videoSessionSchema(request.actor!.timeZone), form);
      await createVideoSession(db, request.actor!, id, input, { baseUrl: app.config.videoBaseUrl, t: request.t });
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const details = await agentTicketDetails(db, request.actor!, id, 'videos', [request.t('common.yes'), request.t('common.no')]);
      return reply.page('tickets/agent-show', { ...details, videoForm: { values: form, errors: error.fields } }, { status: 422 });
    }
    return reply.seeOther(`/agent/tickets/${id}?tab=videos`, 'video.created');
  });
}
