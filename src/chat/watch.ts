import { findSessionById } from '../auth/sessions.js';
import { ChangeCache } from '../db/change-cache.js';
import type { Db } from '../db/connect.js';
import { nowIso } from '../lib/time.js';
import { findVisibleTicket } from '../tickets/queries.js';
import { sideOf, type Side } from '../policy/can.js';
import { chatState } from './chat.js';

export type { Side };

/**
 * Until when a session may watch a ticket (its expiry), or null: the answer changes only with the
 * database, so it is remembered until the next write. Presence pings, which write nothing, then
 * cost one marker read per stream instead of two lookups.
 */
const answers = new ChangeCache<string | null>(5000);

/**
 * Whether the stream of this session may carry one more event of this ticket: the session still
 * exists (not logged out, not expired), its person is still active and on the same side of the desk,
 * and the ticket is still in their scope (a customer's also still has a messenger). Asked before
 * every event, with the person as they are now, not as they were when the stream opened.
 */
export async function mayStillWatch(db: Db, sessionId: string, side: Side, ticketId: number): Promise<boolean> {
  const until = await answers.get(db, `${side}:${ticketId}:${sessionId}`, async () => {
    const session = await findSessionById(db, sessionId);
    if (!session || sideOf(session.actor) !== side) return null;
    const ticket = await findVisibleTicket(db, session.actor, ticketId);
    if (!ticket || (side === 'customer' && chatState(ticket) === 'none')) return null;
    return session.expiresAt;
  });
  return until !== null && until > nowIso();
}
