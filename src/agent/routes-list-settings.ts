import type { FastifyInstance } from 'fastify';
import { allow } from '../plugins/guards.js';
import { listAddress, type ListQuery } from './list-page.js';
import { parseListPrefsForm, saveListPrefs } from './list-prefs.js';

type Form = Record<string, string | string[] | undefined>;

/**
 * The list's own settings, kept in the agent's profile: which columns it shows and which view the
 * bare list address lands on. Saved, then back to the same list (filters, sort, page) to see them.
 */
export default async function listSettingsRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', allow('desk.use'));

  app.post<{ Body: Form }>('/agent/tickets/settings', async (request, reply) => {
    const form = request.body ?? {};
    const back: ListQuery = Object.fromEntries(new URLSearchParams(typeof form.back === 'string' ? form.back : ''));
    const { here } = listAddress(back);
    await saveListPrefs(db, request.actor!, parseListPrefsForm(form));
    return reply.seeOther(`/agent/tickets?${here}`, 'tickets.settings.saved');
  });
}
