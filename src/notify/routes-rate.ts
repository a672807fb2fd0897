import type { FastifyInstance } from 'fastify';
import { DomainError, Invalid } from '../lib/errors.js';
import { rateTicket } from '../portal/conversation.js';
import { toActor } from '../users/actor.js';
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
    throw check.reason === 'expired' ? new DomainError('notify.rate.expired', 410) : new DomainError('notify.rate.invalid', 400);
  };

  const pageData = async (claim: RatingClaim) => {
    const ticket = await db.selectFrom('tickets').select(['id', 'subject']).where('id', '=', claim.ticketId)
      .where('requester_id', '=', claim.userId).executeTakeFirst();
    if (!ticket) throw new DomainError('notify.rate.invalid', 400);
    const rating = await db.selectFrom('ratings').select(['score', 'comment'])
      .where('ticket_id', '=', ticket.id).where('user_id', '=', claim.userId).executeTakeFirst();
    return { ticket, score: claim.score, rating: rating ?? null };
  };

  app.get<{ Params: Params }>('/rate/:token', async (request, reply) => {
    const claim = claimOf(request.params.token);
    reply.header('Referrer-Policy', 'no-referrer').header('Cache-Control', 'no-store');
    return reply.page('rate/confirm', { ...(await pageData(claim)), token: request.params.token, errors: {} });
  });

  // The signed link is the credential here, as a session is elsewhere: no session, so no CSRF token.
  app.post<{ Params: Params; Body: { comment?: string } }>('/rate/:token', { config: { csrf: false } }, async (request, reply) => {
    const claim = claimOf(request.params.token);
    const user = await db.selectFrom('users').selectAll().where('id', '=', claim.userId).where('state', '!=', 'disabled').executeTakeFirst();
    if (!user) throw new DomainError('notify.rate.invalid', 400);
    try {
      await rateTicket(db, toActor(user), claim.ticketId, { score: claim.score, comment: request.body?.comment ?? '' });
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      reply.header('Referrer-Policy', 'no-referrer');
      return reply.page('rate/confirm', { ...(await pageData(claim)), token: request.params.token, errors: error.fields, message: request.t(error.message) },
        { status: 422 });
    }
    return reply.seeOther(`/rate/${encodeURIComponent(request.params.token)}`);
  });
}
