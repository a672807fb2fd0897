import fastifyView from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { assets } from '../assets.js';
import { formatTime } from '../lib/format.js';
import { ADMIN_SECTIONS } from '../admin/sections.js';
import { VERSION } from '../version.js';
import type { PageOptions, SeeOtherOptions } from './types.js';

const FLASH_COOKIE = 'deskbell_flash';

/**
 * The one render helper. A full page for plain requests, boosted navigation and history restores
 * (htmx says `HX-Request-Type: full`); only the named fragment for htmx partial swaps. Always Vary.
 */
export default fp(async (app, opts: { production: boolean }) => {
  const eta = new Eta({ views: assets.views, cache: opts.production, autoEscape: true, autoTrim: false });
  await app.register(fastifyView, { engine: { eta }, root: assets.views, production: opts.production, includeViewExtension: true });

  app.decorateReply('page', async function page(this: FastifyReply, view: string, data: Record<string, unknown> = {}, options: PageOptions = {}) {
    const request = this.request;
    const partial = request.headers['hx-request-type'] === 'partial' && options.fragment !== undefined;
    const flash = readFlash(request, this);
    const html = await this.viewAsync(partial ? options.fragment! : view, {
      // The page a form re-renders after a POST may say which page it is (for the menu).
      path: request.url.split('?')[0],
      ...data,
      ...(!partial && options.pageOnly ? await options.pageOnly() : {}),
      t: request.t,
      actor: request.actor,
      csrfToken: request.csrfToken,
      flash,
      time: (iso: string | null) => formatTime(iso, request.actor?.timeZone ?? 'UTC'),
      adminSections: ADMIN_SECTIONS,
      version: VERSION,
    });
    return this.code(options.status ?? this.statusCode ?? 200)
      .header('Vary', 'HX-Request, HX-Request-Type, Cookie')
      .header('Cache-Control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(html);
  });

  app.decorateReply('seeOther', function seeOther(this: FastifyReply, url: string, flash?: string, options: SeeOtherOptions = {}) {
    if (flash) {
      const params = new URLSearchParams(Object.fromEntries(Object.entries(options.params ?? {}).map(([k, v]) => [k, String(v)]))).toString();
      this.setCookie(FLASH_COOKIE, params ? `${flash}?${params}` : flash, { path: '/', httpOnly: true, sameSite: 'lax', maxAge: 60 });
    }
    this.header('Vary', 'HX-Request, HX-Request-Type');
    if (this.request.headers['hx-request-type'] === 'partial') {
      // With a target, htmx fetches the next page as that target's fragment and swaps only it.
      const location = options.target ? JSON.stringify({ path: url, target: options.target, swap: 'outerHTML' }) : url;
      return this.code(200).header('HX-Location', location).send('');
    }
    return this.redirect(url, 303);
  });
}, { name: 'views', dependencies: ['session'] });

function readFlash(request: FastifyRequest, reply: FastifyReply): string | null {
  const value = request.cookies[FLASH_COOKIE];
  if (!value) return null;
  reply.clearCookie(FLASH_COOKIE, { path: '/' });
  const [key = '', query = ''] = value.split('?', 2);
  // Only catalogue keys with numbers for their placeholders are shown: a forged cookie cannot inject text.
  const params = Object.fromEntries(new URLSearchParams(query));
  if (Object.values(params).some((v) => !/^\d{1,9}$/.test(v))) return null;
  return request.server.catalogue.has(key) ? request.t(key, params) : null;
}
