import type { Db } from '../db/connect.js';
import { Malformed } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { viewFilter } from '../tickets/list-filter.js';
import type { Actor } from '../users/actor.js';

/** Columns an agent may show besides the ticket number and subject, which every list has. */
export const LIST_COLUMNS = ['requester', 'status', 'priority', 'type', 'assignee', 'group', 'created', 'activity', 'sla'] as const;
export type ListColumn = (typeof LIST_COLUMNS)[number];
/** What a list shows before the agent chooses: everything but the creation time (fits a 1366 px laptop). */
export const DEFAULT_COLUMNS: readonly ListColumn[] = ['requester', 'status', 'priority', 'type', 'assignee', 'group', 'activity'];
/** Where agents land: their own open tickets, not everything (issue 19). */
export const DEFAULT_LANDING = 'my_open';

export interface ListPrefs {
  columns: ListColumn[];
  /** A view of the side menu (`my_open`, `group-3`) or a saved view (`saved-12`). */
  landing: string;
}

/** A landing view the list understands: a built-in view or a group queue, or a saved view by id. */
export function isLandingView(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 40) return false;
  if (/^saved-[1-9]\d{0,11}$/.test(value)) return true;
  try {
    viewFilter(value);
    return true;
  } catch {
    return false;
  }
}

/** The person's list choices; what is missing or no longer understood falls back to the defaults. */
export function listPrefsOf(actor: Actor): ListPrefs {
  let stored: { listColumns?: unknown; landingView?: unknown } = {};
  try {
    const parsed: unknown = JSON.parse(actor.uiPrefs ?? '{}');
    if (parsed && typeof parsed === 'object') stored = parsed;
  } catch {
    // A damaged value is shown as the defaults; the next save writes a good one.
  }
  const columns = Array.isArray(stored.listColumns)
    ? LIST_COLUMNS.filter((column) => (stored.listColumns as unknown[]).includes(column))
    : [...DEFAULT_COLUMNS];
  return { columns, landing: isLandingView(stored.landingView) ? stored.landingView : DEFAULT_LANDING };
}

/**
 * The list settings form as choices: a checkbox per column (`column-status=1`: each its own name,
 * so the form stays valid HTML) and the landing view. A landing view no form offers (an unknown
 * view, a malformed id) is refused as malformed; names other than the known columns are not read.
 */
export function parseListPrefsForm(form: Record<string, string | string[] | undefined>): ListPrefs {
  const columns = LIST_COLUMNS.filter((column) => {
    const value = form[`column-${column}`];
    if (value !== undefined && value !== '1') throw new Malformed('errors.badRequest');
    return value === '1';
  });
  const landing = form.landing === undefined || form.landing === '' ? DEFAULT_LANDING : form.landing;
  if (!isLandingView(landing)) throw new Malformed('errors.badRequest');
  return { columns, landing };
}

/** Keep the person's list choices in their profile, beside any other screen choices stored there. */
export async function saveListPrefs(db: Db, actor: Actor, prefs: ListPrefs): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('users').select('ui_prefs').where('id', '=', actor.id).executeTakeFirstOrThrow();
    let others: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(row.ui_prefs);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) others = parsed as Record<string, unknown>;
    } catch {
      // Replaced by a good value below.
    }
    const uiPrefs = JSON.stringify({ ...others, listColumns: prefs.columns, landingView: prefs.landing });
    await trx.updateTable('users').set({ ui_prefs: uiPrefs, updated_at: nowIso() }).where('id', '=', actor.id).execute();
  });
}
