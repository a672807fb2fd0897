import type { FastifyReply, FastifyRequest } from 'fastify';
import { hmac } from '../lib/crypto.js';
import { Forbidden } from '../lib/errors.js';
import { can } from '../policy/can.js';
import { getSetting } from '../settings/settings.js';
import { brandOfHost, type Reader } from './queries.js';
import { isBot } from './view-counts.js';

/** The setting that opens the help center to visitors without an account (off: signed-in people only). */
export const HELP_PUBLIC_SETTING = 'help.public';

/**
 * Who may read the help center: anyone signed in (customers and staff); visitors only when the desk
 * allows it. Visitors asking for a page otherwise are sent to log in first, as everywhere else.
 */
export async function helpReaders(request: FastifyRequest, reply: FastifyReply) {
  brands.set(request, await brandOfHost(request.server.db, request.hostname));
  if (request.actor) return;
  if ((await getSetting(request.server.db, HELP_PUBLIC_SETTING)) === '1') return;
  if (request.method === 'GET') return reply.seeOther(`/login?next=${encodeURIComponent(request.url)}`);
  throw new Forbidden('errors.loginRequired');
}

export type HelpBrand = NonNullable<Awaited<ReturnType<typeof brandOfHost>>>;
const brands = new WeakMap<FastifyRequest, HelpBrand>();

/**
 * Whose help center a request reads: the brand whose host name it was sent to (Admin → Brands,
 * "Help center host name"), else the default brand's. The same address on another brand's host is
 * another help center: an article of one brand is not found on the other's.
 */
export function helpBrandOf(request: FastifyRequest): HelpBrand {
  const brand = brands.get(request);
  if (!brand) throw new Error('help: the brand is read in the preHandler (helpReaders)');
  return brand;
}

export function readerOf(request: FastifyRequest): Reader {
  return { internal: can(request.actor, 'help.internal'), locale: request.t.locale ?? 'en', brandId: helpBrandOf(request).id };
}

/**
 * Who answered "Was this helpful?": a signed-in person by id; a visitor by their browser's own
 * random cookie (the visitor CSRF secret, plugins/session.ts), hashed with the desk's key so that the
 * stored value reveals nothing.
 */
export function voterOf(request: FastifyRequest): string {
  if (request.actor) return `u:${request.actor.id}`;
  return `v:${hmac(request.server.config.secretKey, `help-voter:${request.csrfSecret}`)}`;
}

/** Whether opening an article counts as a view: a person's GET, not a crawler's nor a browser's prefetch. */
export function countsAsView(request: FastifyRequest): boolean {
  const purpose = request.headers['sec-purpose'] ?? request.headers.purpose;
  return request.method === 'GET' && !isBot(request.headers['user-agent']) && !(typeof purpose === 'string' && /prefetch/i.test(purpose));
}
