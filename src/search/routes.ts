import type { FastifyInstance } from 'fastify';
import { Malformed } from '../lib/errors.js';
import { positiveInt } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { MAX_PAGE, searchForAgent } from './index.js';

type Query = Record<string, string | string[] | undefined>;
export const QUERY_MAX = 200;
/** How many hits the top bar's box shows while typing. */
export const PEEK_SIZE = 5;

/** The query string, checked: repeated or over-long values and impossible pages are a 400. */
function parseSearchQuery(query: Query) {
  const one = (name: string) => {
    const value = query[name];
    if (Array.isArray(value)) throw new Malformed('search.badRequest');
    return value;
  };
  const q = (one('q') ?? '').trim();
  if (q.length > QUERY_MAX) throw new Malformed('search.tooLong');
  const rawPage = one('page');
  const page = rawPage === undefined || rawPage === '' ? 1 : positiveInt(rawPage);
  if (page === null || page > MAX_PAGE) throw new Malformed('search.badRequest');
  return { q, page, live: one('live') === '1', peek: one('peek') === '1' };
}

export default async function searchRoutes(app: FastifyInstance) {
  app.addHook('preHandler', allow('desk.use'));

  // A plain GET form without JavaScript; with htmx, the box asks for just the results as you type.
  app.get<{ Querystring: Query }>('/agent/search', async (request, reply) => {
    const { q, page, live, peek } = parseSearchQuery(request.query);
    const result = await searchForAgent(app.db, request.actor!, q, page, live);
    if (result.jump !== null) return reply.seeOther(`/agent/tickets/${result.jump}`);
    const more = result.more ? `/agent/search?${new URLSearchParams({ q, page: String(page + 1) })}` : null;
    // The top bar's box asks for a peek: the first hits under the box, and a link to all of them.
    const all = `/agent/search?${new URLSearchParams({ q })}`;
    return reply.page('search/agent', { q, ...result, more, all, peek: result.rows.slice(0, PEEK_SIZE) }, { fragment: peek ? 'search/_peek' : 'search/_results' });
  });
}
