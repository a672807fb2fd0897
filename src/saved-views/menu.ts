import type { Db } from '../db/connect.js';
import { Invalid } from '../lib/errors.js';
import { cappedCounts, statusLookup } from '../tickets/list.js';
import type { ListFilter } from '../tickets/list-filter.js';
import type { Actor } from '../users/actor.js';
import { parseSavedQuery } from './filter-check.js';
import { canManageView, listVisibleViews } from './saved-views.js';

export interface MenuSavedView {
  id: number;
  name: string;
  query: string;
  shared: boolean;
  canManage: boolean;
  /** Null until counted; also null for a stored filter the list no longer accepts. */
  count: number | null;
  broken: boolean;
}

/** The person's saved views for the menu: names only (one query), or with capped counts (one more). */
export async function savedViewsMenu(db: Db, actor: Actor, options: { counts: boolean }): Promise<MenuSavedView[]> {
  const views = await listVisibleViews(db, actor);
  const filters = views.map((view): ListFilter | null => {
    try {
      return parseSavedQuery(view.query).filter;
    } catch (error) {
      if (error instanceof Invalid) return null;
      throw error;
    }
  });
  const countable = filters.filter((f): f is ListFilter => f !== null);
  const counts = options.counts && countable.length > 0 ? await cappedCounts(db, actor, countable, await statusLookup(db)) : [];
  let next = 0;
  return views.map((view, i) => ({
    id: view.id, name: view.name, query: view.query, shared: view.shared === 1, canManage: canManageView(actor, view),
    broken: filters[i] === null,
    count: filters[i] !== null && options.counts ? counts[next++]! : null,
  }));
}
