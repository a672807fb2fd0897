import { ChangeCache } from '../db/change-cache.js';
import type { Db } from '../db/connect.js';
import { countPendingOffers } from '../fleet/queries.js';
import { ticketReach } from '../policy/tickets.js';
import { savedViewsMenu } from '../saved-views/menu.js';
import { canShareViews } from '../saved-views/saved-views.js';
import { tagsOfTickets } from '../tags/queries.js';
import { listTicketPage } from '../tickets/list.js';
import type { ListFilter } from '../tickets/list-filter.js';
import { sideMenu } from '../tickets/menu.js';
import { scopeKey } from '../tickets/scope.js';
import type { Actor } from '../users/actor.js';

type ListData = Awaited<ReturnType<typeof readListData>>;
type MenuData = Awaited<ReturnType<typeof readMenuData>>;

/**
 * The agent list's pages (rows and their tags) and each person's menus, remembered until the
 * database changes (db/change-cache.ts: any write anywhere reads them again). Who asks is part of
 * the key: everything the ticket scope and the menus depend on that is not in the database.
 * Shared between requests: callers must not modify what they get.
 */
const pages = new ChangeCache<ListData>(200);
const menus = new ChangeCache<MenuData>(200);

/**
 * Whether a page of this filter depends on the database alone: the SLA views compare due times
 * with the clock, and a text search is left to its own bounds.
 */
function timeless(filter: ListFilter): boolean {
  return !filter.sla && !filter.search;
}

/** One page of the list with each row's tags. */
export function listData(db: Db, actor: Actor, filter: ListFilter, after: (string | number)[] | null): Promise<ListData> {
  const read = () => readListData(db, actor, filter, after);
  if (db.isTransaction || !timeless(filter)) return read();
  return pages.get(db, `${scopeKey(actor)}|${JSON.stringify(filter)}|${JSON.stringify(after)}`, read);
}

async function readListData(db: Db, actor: Actor, filter: ListFilter, after: (string | number)[] | null) {
  const page = await listTicketPage(db, actor, filter, after);
  return { page, rowTags: Object.fromEntries(await tagsOfTickets(db, page.rows.map((r) => r.id))) as Record<number, string[] | undefined> };
}

/** The side menu's views (without counts), the person's saved views (without counts) and their pending offers. */
export function menuData(db: Db, actor: Actor): Promise<MenuData> {
  const read = () => readMenuData(db, actor);
  // The saved views' "manage" links follow who may share views (saved-views.ts, canManageView).
  return db.isTransaction ? read() : menus.get(db, `${actor.id}:${ticketReach(actor)}:${canShareViews(actor)}`, read);
}

async function readMenuData(db: Db, actor: Actor) {
  return {
    menu: await sideMenu(db, actor, { counts: false }),
    offerCount: await countPendingOffers(db, actor.id),
    savedViews: await savedViewsMenu(db, actor, { counts: false }),
  };
}
