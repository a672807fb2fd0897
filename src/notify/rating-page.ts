import type { Db } from '../db/connect.js';
import { Malformed } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { rateTicket } from '../tickets/customer.js';
import { ratingSchema } from '../tickets/schemas.js';
import { toActor } from '../users/actor.js';
import type { RatingClaim } from './rating-links.js';

/** What the landing page of a rating link shows: the ticket it names, and any rating already given. */
export async function ratingLinkPage(db: Db, claim: RatingClaim) {
  const ticket = await db.selectFrom('tickets').select(['id', 'subject']).where('id', '=', claim.ticketId)
    .where('requester_id', '=', claim.userId).executeTakeFirst();
  if (!ticket) throw new Malformed('notify.rate.invalid');
  const rating = await db.selectFrom('ratings').select(['score', 'comment'])
    .where('ticket_id', '=', ticket.id).where('user_id', '=', claim.userId).executeTakeFirst();
  return { ticket, score: claim.score, rating: rating ?? null };
}

/** The button on that page: the link's requester rates, by the portal's own rules (solved tickets only...). */
export async function rateByLink(db: Db, claim: RatingClaim, comment: string): Promise<void> {
  const user = await db.selectFrom('users').selectAll().where('id', '=', claim.userId).where('state', '!=', 'disabled').executeTakeFirst();
  if (!user) throw new Malformed('notify.rate.invalid');
  await rateTicket(db, toActor(user), claim.ticketId, parseForm(ratingSchema, { score: claim.score, comment }));
}
