import type { FastifyInstance } from 'fastify';
import { Expired, Invalid, Malformed } from '../lib/errors.js';
import { rateByLink, ratingLinkPage } from './rating-page.js';
import { readRatingToken, type RatingClaim } from './rating-links.js';

type Params = { token: string };

/**
 * Where the Good / Bad links of a "solved" mail land, without a login. GET only shows the choice;
 * the page's button (a POST) records it, through the portal's own rateTicket rules.
 */
export default async function rateRoutes(app: FastifyInstance) {
  const { db, config } = app;

  const claimOf = (token: string): RatingClaim => {
    const check = readRatingToken(config.secretKey, token);
    if (check.ok) return check.claim;
    throw check.reason === 'expired' ? new Expired('notify.rate.expired') : new Malformed('notify.rate.invalid');
  };

  const pageData = (claim: RatingClaim) => ratingLinkPage(db, claim);

  app.get<{ Params: Params }>('/rate/:token', async (request, reply) => {
    const claim = claimOf(request.params.token);
    reply.header('Referrer-Policy', 'no-referrer').header('Cache-Control', 'no-store');
    return reply.page('rate/confirm', { ...(await pageData(claim)), token: request.params.token, errors: {} });
  });

  // The signed link is the credential here, as a session is elsewhere: no session, so no CSRF token.
  app.post<{ Params: Params; Body: { comment?: string } }>('/rate/:token', { config: { csrf: false } }, async (request, reply) => {
    const claim = claimOf(request.params.token);
    try {
      await rateByLink(db, claim, request.body?.comment ?? '');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      reply.header('Referrer-Policy', 'no-referrer');
      return reply.page('rate/confirm', { ...(await pageData(claim)), token: request.params.token, errors: error.fields, message: request.t(error.message) },
        { status: 422 });
    }
    return reply.seeOther(`/rate/${encodeURIComponent(request.params.token)}`);
  });
}
