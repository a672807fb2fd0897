import type { Generated, Selectable } from 'kysely';

/** Migration 0020: a saved view is a name and the agent list's query string, personal or shared. */
export interface SavedViewsTable {
  id: Generated<number>;
  owner_id: number;
  name: string;
  /** The list's query string (`status=2&priority=high&sort=id`), validated when saved. */
  query: string;
  /** 1: every agent sees it in their menu; only supervisors and admins create, change or delete those. */
  shared: Generated<number>;
  created_at: Generated<string>;
  updated_at: Generated<string>;
}

export type SavedView = Selectable<SavedViewsTable>;

declare module '../db/schema.js' {
  interface Database {
    saved_views: SavedViewsTable;
  }
}
