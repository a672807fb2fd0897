import type { Db } from '../db/connect.js';
import { EMPTY_FILTER } from '../tickets/list-filter.js';
import type { Actor } from '../users/actor.js';
import { activeServices, myTicketsPage, portalHelpHtml } from './queries.js';

export const RECENT_TICKETS = 5;

/** The portal home ("My Page"): services, the newest of the customer's own tickets, the operator's help text. */
export async function portalHome(db: Db, actor: Actor) {
  const recent = await myTicketsPage(db, actor, { ...EMPTY_FILTER, requesterId: actor.id }, null, RECENT_TICKETS);
  return {
    services: await activeServices(db, actor),
    recent: recent.rows,
    moreTickets: recent.next !== null,
    helpHtml: await portalHelpHtml(db),
  };
}
