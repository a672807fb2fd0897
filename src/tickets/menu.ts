import type { Db } from '../db/connect.js';
import type { Actor } from '../users/actor.js';
import { cappedCounts, statusLookup } from './list.js';
import { BUILT_IN_VIEWS, EMPTY_FILTER, viewFilter } from './list-filter.js';

export interface MenuView {
  view: string;
  /** A catalogue key for built-in views, the group's own name for queues. */
  labelKey?: string;
  name?: string;
  count: number;
}

/** The side menu: the built-in views and a queue per group of the agent, each with a capped count. */
export async function sideMenu(db: Db, actor: Actor): Promise<MenuView[]> {
  const lookup = await statusLookup(db);
  const groups = await db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select(['groups.id', 'groups.name']).where('group_members.user_id', '=', actor.id).orderBy('groups.name').execute();
  const views: MenuView[] = [
    ...BUILT_IN_VIEWS.map((view) => ({ view, labelKey: `views.${view}`, count: 0 })),
    ...groups.map((group) => ({ view: `group-${group.id}`, name: group.name, count: 0 })),
  ];
  const counts = await cappedCounts(db, actor, views.map((item) => ({ ...EMPTY_FILTER, view: item.view, ...viewFilter(item.view) })), lookup);
  return views.map((item, i) => ({ ...item, count: counts[i]! }));
}
