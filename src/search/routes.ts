import type { FastifyInstance } from 'fastify';
import { DomainError } from '../lib/errors.js';
import { positiveInt } from '../lib/validate.js';
import { requireRole, STAFF } from '../plugins/guards.js';
import { MAX_PAGE, searchForAgent } from './index.js';

type Query = Record<string, string | string[] | undefined>;
export const QUERY_MAX = 200;

/** The query string, checked: repeated or over-long values and impossible pages are a 400. */
function parseSearchQuery(query: Query) {
  const one = (name: string) => {
    const value = query[name];
    if (Array.isArray(value)) throw new DomainError('search.badRequest', 400);
    return value;
  };
  const q = (one('q') ?? '').trim();
  if (q.length > QUERY_MAX) throw new DomainError('search.tooLong', 400);
  const rawPage = one('page');
  const page = rawPage === undefined || rawPage === '' ? 1 : positiveInt(rawPage);
  if (page === null || page > MAX_PAGE) throw new DomainError('search.badRequest', 400);
  return { q, page, live: one('live') === '1' };
}

export default async function searchRoutes(app: FastifyInstance) {
  app.addHook('preHandler', requireRole(...STAFF));

  // A plain GET form without JavaScript; with htmx, the box asks for just the results as you type.
  app.get<{ Querystring: Query }>('/agent/search', async (request, reply) => {
    const { q, page, live } = parseSearchQuery(request.query);
    const result = await searchForAgent(app.db, request.actor!, q, page, live);
    if (result.jump !== null) return reply.seeOther(`/agent/tickets/${result.jump}`);
    const more = result.more ? `/agent/search?${new URLSearchParams({ q, page: String(page + 1) })}` : null;
    return reply.page('search/agent', { q, ...result, more }, { fragment: 'search/_results' });
  });
}
