import type { FastifyRequest } from 'fastify';

/**
 * Whether a page was asked for from the desk's own pages or by the person directly, not by a link on
 * another site: a GET may then do what opening the page implies (a new ticket becomes Open when its
 * assignee opens it). Browsers say where a request comes from in `Sec-Fetch-Site`:
 * - `same-origin`: a link, form or htmx request on one of the desk's pages: yes;
 * - `none`: an address typed or pasted, a bookmark, a link opened from a mail program: yes, the
 *   person chose to go there;
 * - `same-site` (a neighbouring subdomain, another application) and `cross-site`: no.
 * Browsers without the header (before 2020; Safari before 16.4) still send a Referer for a link on
 * our own pages: it must name this host. With neither header (or a Referer held back), no: a missed
 * status change is harmless, a change made by another site is not.
 */
export function fromOwnPagesOrTyped(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'same-origin' || site === 'none';
  const referer = request.headers.referer;
  if (!referer) return false;
  try {
    // Both through URL, which drops a default port ("host:80") the Host header may carry.
    return new URL(referer).host === new URL(`${request.protocol}://${request.host}`).host;
  } catch {
    return false;
  }
}
