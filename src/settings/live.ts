import type { FastifyInstance } from 'fastify';
import { getSetting } from './settings.js';

/**
 * Settings that live in memory once read: the site name (shown wherever the catalogue says
 * `app.name`) and the base URL of links in mail, unless BASE_URL fixes it. Applied at boot and
 * after every save, so a change shows at once.
 */
export async function applyLiveSettings(app: FastifyInstance): Promise<void> {
  const siteName = (await getSetting(app.db, 'site_name'))?.trim();
  app.catalogue.setSiteTexts(siteName ? { 'app.name': siteName } : {});
  if (!app.config.envOverrides.includes('BASE_URL')) {
    const baseUrl = (await getSetting(app.db, 'base_url'))?.trim();
    app.mail.baseUrl = baseUrl || app.config.baseUrl;
  }
}
