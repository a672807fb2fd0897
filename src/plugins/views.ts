import fastifyView from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { assets } from '../assets.js';
import { encodePage, EncodedHtml } from '../lib/encoded-html.js';
import { formatDate, formatTime, timeElement } from '../lib/format.js';
import { getSetting } from '../settings/settings.js';
import { decide, sideOf, type Action } from '../policy/can.js';
import type { Role } from '../db/schema.js';
import { ADMIN_SECTIONS } from '../admin/sections.js';
import { VERSION } from '../version.js';
import { assetUrl } from './static-files.js';
import type { PageOptions, SeeOtherOptions } from './types.js';

const FLASH_COOKIE = 'deskbell_flash';

/**
 * The one render helper. A full page for plain requests, boosted navigation and history restores
 * (htmx says `HX-Request-Type: full`); only the named fragment for htmx partial swaps. Always Vary.
 */
export default fp(async (app, opts: { production: boolean }) => {
  // rmWhitespace: each template line's indentation and trailing spaces go (the templates' only: data is untouched),
  // so pages carry no whitespace-only lines (html-validate's no-trailing-whitespace) and are smaller.
  const eta = new Eta({ views: assets.views, cache: opts.production, autoEscape: true, autoTrim: false, rmWhitespace: true });
  if (opts.production) rememberTemplatePaths(eta);
  await app.register(fastifyView, { engine: { eta }, root: assets.views, production: opts.production, includeViewExtension: true });

  app.decorateReply('page', async function page(this: FastifyReply, view: string, data: Record<string, unknown> = {}, options: PageOptions = {}) {
    const request = this.request;
    const partial = request.headers['hx-request-type'] === 'partial' && options.fragment !== undefined;
    const flash = readFlash(request, this);
    const zone = await viewerZone(request);
    const pageOnly = !partial && options.pageOnly ? await options.pageOnly() : {};
    const html = await this.viewAsync(partial ? options.fragment! : view, {
      // The page a form re-renders after a POST may say which page it is (for the menu).
      path: request.url.split('?')[0],
      ...data,
      ...pageOnly,
      t: request.t,
      actor: request.actor,
      can: (action: Action, subject?: unknown) => decide(request.actor, action, subject),
      /** Which side a message's author is on ('staff' or 'customer'; null for the system), decided by the policy, not by the template. */
      sideOf: (role: Role | null | undefined) => (role ? sideOf({ role }) : null),
      csrfToken: request.csrfToken,
      flash,
      ...timeHelpers(request, zone),
      /** Signed in without a zone of their own: the page asks the browser for its zone once (zone.js). */
      askZone: request.actor !== null && request.actor !== undefined && !request.actor.timeZone,
      date: (day: string | null) => formatDate(day, request.t.locale),
      adminSections: ADMIN_SECTIONS,
      version: VERSION,
      asset: assetUrl,
    });
    return this.code(options.status ?? this.statusCode ?? 200)
      .header('Vary', 'HX-Request, HX-Request-Type, Cookie')
      .header('Cache-Control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(encodePage(html, [...Object.values(data), ...Object.values(pageOnly)].filter((value) => value instanceof EncodedHtml)));
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

/**
 * Eta resolves a template's file path on every render and include (a JSON key, path joins and a
 * containment check each time: about a tenth of a long ticket page's CPU). The views are fixed once
 * the server runs in production, so each (including file, name) pair is resolved once.
 */
function rememberTemplatePaths(eta: Eta): void {
  const resolve = eta.resolvePath!;
  const known = new Map<string, string>();
  eta.resolvePath = function remembered(template, options) {
    const key = `${options?.filepath ?? ''}\0${template}`;
    let path = known.get(key);
    if (path === undefined) known.set(key, path = resolve.call(this, template, options));
    return path;
  };
}

function readFlash(request: FastifyRequest, reply: FastifyReply): string | null {
  const value = request.cookies[FLASH_COOKIE];
  if (!value) return null;
  reply.clearCookie(FLASH_COOKIE, { path: '/' });
  const [key = '', query = ''] = value.split('?', 2);
  // Only catalogue keys with numbers for their placeholders are shown: a forged cookie cannot inject text.
  const params = Object.fromEntries([...new URLSearchParams(query)].map(([name, v]) => [name, /^\d{1,9}$/.test(v) ? Number(v) : NaN]));
  if (Object.values(params).some(Number.isNaN)) return null;
  return request.server.catalogue.has(key) ? request.t(key, params) : null;
}

/**
 * `it.time` (exact) and `it.when` (relative, the exact time in its title) for the reader's language
 * and zone; relative to `now` when given (a part of the page kept for as long as its times read the same).
 */
export function timeHelpers(request: FastifyRequest, zone: string, now?: number) {
  return {
    time: (iso: string | null) => formatTime(iso, zone, request.t.locale),
    when: (iso: string | null) => timeElement(iso, { timeZone: zone, locale: request.t.locale ?? 'en', justNow: request.t('time.justNow'), now }),
  };
}

/**
 * The zone times are shown in: the viewer's own (profile, or what their browser told us, zone.js),
 * else the desk's (Admin → Settings), which is what visitors and pages without JavaScript get.
 */
export async function viewerZone(request: FastifyRequest): Promise<string> {
  return request.actor?.timeZone ?? (await getSetting(request.server.db, 'site_time_zone')) ?? 'UTC';
}
