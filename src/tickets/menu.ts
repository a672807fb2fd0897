import { ChangeCache } from '../db/change-cache.js';
import type { Db } from '../db/connect.js';
import { ticketReach } from '../policy/tickets.js';
import type { Actor } from '../users/actor.js';
import { cappedCounts, statusLookup } from './list.js';
import { BUILT_IN_VIEWS, EMPTY_FILTER, viewFilter } from './list-filter.js';

export interface MenuView {
  view: string;
  /** A catalogue key for built-in views, the group's own name for queues. */
  labelKey?: string;
  name?: string;
  /** Null when not counted (the full page: the counts come after it, by htmx). */
  count: number | null;
}

/** Per person (counts depend on who asks: "mine", scope, groups) until the database changes. */
const countCache = new ChangeCache<number[]>(1000);

/**
 * The side menu: the built-in views and a queue per group of the agent, each with a capped count
 * when `counts` is set. The counts are one statement (~3–8 ms at 1M tickets), so the list page
 * renders the menu without them and loads them afterwards from GET /agent/tickets/menu.
 */
export async function sideMenu(db: Db, actor: Actor, options: { counts: boolean } = { counts: true }): Promise<MenuView[]> {
  const groups = await db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select(['groups.id', 'groups.name']).where('group_members.user_id', '=', actor.id).orderBy('groups.name').execute();
  const views: MenuView[] = [
    ...BUILT_IN_VIEWS.map((view) => ({ view, labelKey: `views.${view}`, count: null })),
    ...groups.map((group) => ({ view: `group-${group.id}`, name: group.name, count: null })),
  ];
  if (!options.counts) return views;
  const key = `${actor.id}:${ticketReach(actor)}:${views.map((item) => item.view).join(',')}`;
  const counts = await countCache.get(db, key, async () => cappedCounts(db, actor,
    views.map((item) => ({ ...EMPTY_FILTER, view: item.view, ...viewFilter(item.view) })), await statusLookup(db)));
  return views.map((item, i) => ({ ...item, count: counts[i]! }));
}
