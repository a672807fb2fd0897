import type { Trx } from '../db/connect.js';
import { recordEvent } from '../events/record.js';
import type { Actor } from '../users/actor.js';
import { writeHistory } from './history.js';

/**
 * The requester rates a ticket (a second rating replaces the first): the rating row, one 'rating'
 * history line (old score → new), `updated_at`, and one `rating.added` event, in the caller's transaction.
 */
export async function addRating(trx: Trx, actor: Actor, ticketId: number, rating: { score: 'good' | 'bad'; comment: string }, now: string): Promise<void> {
  const before = await trx.selectFrom('ratings').select('score').where('ticket_id', '=', ticketId).where('user_id', '=', actor.id).executeTakeFirst();
  await trx.deleteFrom('ratings').where('ticket_id', '=', ticketId).where('user_id', '=', actor.id).execute();
  const row = await trx.insertInto('ratings').values({ ticket_id: ticketId, user_id: actor.id, score: rating.score, comment: rating.comment, created_at: now })
    .returning('id').executeTakeFirstOrThrow();
  await writeHistory(trx, ticketId, actor.id, [{ kind: 'rating', from: before?.score ?? null, to: rating.score }], now);
  await trx.updateTable('tickets').set({ updated_at: now }).where('id', '=', ticketId).execute();
  await recordEvent(trx, { kind: 'rating.added', ticketId, actorId: actor.id, at: now, payload: { ratingId: row.id, score: rating.score, previous: before?.score ?? null } });
}
