import type { FastifyInstance } from 'fastify';
import { Invalid } from '../lib/errors.js';
import { readForm } from '../lib/form.js';
import { renderMarkdown } from '../messages/markdown.js';
import { allow } from '../plugins/guards.js';
import { saveSettings, settingsForm, type SettingRow } from './edit.js';
import { applyLiveSettings } from './live.js';
import { SECTIONS } from './registry.js';
import { settingsSchema } from './schemas.js';

type Form = Record<string, string | undefined>;

/** `/admin/settings`: one page for every setting of the registry; the environment's are read-only. */
export default async function settingsRoutes(app: FastifyInstance) {
  const { db, config } = app;
  await applyLiveSettings(app);
  app.addHook('preHandler', allow('admin.access'));

  const view = async (rows: SettingRow[]) => ({
    sections: SECTIONS.map((section) => ({ section, rows: rows.filter((row) => row.def.section === section) })),
    options: Object.fromEntries(await Promise.all(rows.filter((row) => row.def.options)
      .map(async (row) => [row.def.key, await row.def.options!(db)] as const))),
    helpPreview: renderMarkdown(rows.find((row) => row.def.markdown)?.value ?? ''),
  });

  app.get('/admin/settings', async (_request, reply) => {
    return reply.page('admin/settings', { ...(await view(await settingsForm(db, config))), errors: {} });
  });

  app.post<{ Body: Form }>('/admin/settings', async (request, reply) => {
    const form = request.body ?? {};
    try {
      await saveSettings(db, request.actor!, config, readForm(settingsSchema(config), form));
      await applyLiveSettings(app);
      return reply.seeOther('/admin/settings', 'admin.settings.saved');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const data = await view(await settingsForm(db, config, form));
      return reply.page('admin/settings', { ...data, errors: error.fields }, { status: 422 });
    }
  });
}
