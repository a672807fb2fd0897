import type { Db } from '../db/connect.js';
import { DomainError } from '../lib/errors.js';
import { rateTicket } from '../portal/conversation.js';
import { toActor } from '../users/actor.js';
import type { RatingClaim } from './rating-links.js';

/** What the landing page of a rating link shows: the ticket it names, and any rating already given. */
export async function ratingLinkPage(db: Db, claim: RatingClaim) {
  const ticket = await db.selectFrom('tickets').select(['id', 'subject']).where('id', '=', claim.ticketId)
    .where('requester_id', '=', claim.userId).executeTakeFirst();
  if (!ticket) throw new DomainError('notify.rate.invalid', 400);
  const rating = await db.selectFrom('ratings').select(['score', 'comment'])
    .where('ticket_id', '=', ticket.id).where('user_id', '=', claim.userId).executeTakeFirst();
  return { ticket, score: claim.score, rating: rating ?? null };
}

/** The button on that page: the link's requester rates, by the portal's own rules (solved tickets only...). */
export async function rateByLink(db: Db, claim: RatingClaim, comment: string): Promise<void> {
  const user = await db.selectFrom('users').selectAll().where('id', '=', claim.userId).where('state', '!=', 'disabled').executeTakeFirst();
  if (!user) throw new DomainError('notify.rate.invalid', 400);
  await rateTicket(db, toActor(user), claim.ticketId, { score: claim.score, comment });
}
