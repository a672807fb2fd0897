import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChangeCache } from '../db/change-cache.js';
import type { Db } from '../db/connect.js';
import { keptPart } from '../lib/encoded-html.js';
import { NotFound } from '../lib/errors.js';
import { positiveInt } from '../lib/validate.js';
import { timeHelpers, viewerZone } from '../plugins/views.js';
import { rolesOn } from '../policy/can.js';
import { filterProblems } from '../saved-views/filter-check.js';
import { canShareViews, findVisibleView } from '../saved-views/saved-views.js';
import { decodeCursor } from '../tickets/cursor.js';
import { filterParams, parseListQuery, sortParts, SORTS, type ListFilter, type SortColumn, type SortKey } from '../tickets/list-filter.js';
import { listFilterChoices, organizationByName } from '../tickets/queries.js';
import { tagSuggestions } from '../tags/queries.js';
import type { Actor } from '../users/actor.js';
import { listData, menuData } from './list-data.js';
import { DEFAULT_LANDING, LIST_COLUMNS, listPrefsOf } from './list-prefs.js';
import { agentRowsHtml, columnLabels } from './list-rows.js';

export type ListQuery = Record<string, string | string[] | undefined>;

/** What a failed bulk action shows above the list, with the choices kept. */
export interface BulkOutcome {
  error: string;
  fields: string[];
  values: object;
}

/** The list's own address for a query: only what it understands, normalised (refused with 400 otherwise). */
export function listAddress(query: ListQuery): { filter: ListFilter; params: URLSearchParams; here: URLSearchParams; savedId: number | null } {
  const filter = parseListQuery(query);
  const after = typeof query.after === 'string' && query.after !== '' ? query.after : null;
  if (after) decodeCursor(filter.sort, after);
  const savedId = positiveInt(query.saved);
  const params = filterParams(filter);
  // The bare address is the person's landing view: "All" without filters must say so to stay "All".
  if (params.size === 0) params.set('view', filter.view);
  if (savedId) params.set('saved', String(savedId));
  const here = new URLSearchParams(params);
  if (after) here.set('after', after);
  return { filter, params, here, savedId };
}

/**
 * What the bare list address shows this person: the view they chose to land on (a saved view's
 * filter with its name), "My open tickets" until they choose, or when their saved view is gone.
 */
export async function landingQuery(db: Db, actor: Actor): Promise<ListQuery> {
  const { landing } = listPrefsOf(actor);
  const saved = /^saved-(\d+)$/.exec(landing);
  if (!saved) return { view: landing };
  try {
    const view = await findVisibleView(db, actor, Number(saved[1]));
    return { ...Object.fromEntries(new URLSearchParams(view.query)), saved: String(view.id) };
  } catch (error) {
    if (error instanceof NotFound) return { view: DEFAULT_LANDING };
    throw error;
  }
}

/** Column headers that sort: the order a click asks for (its natural one, or reversed when current) and aria-sort. */
function sortLinks(params: URLSearchParams, sort: SortKey): Record<SortColumn, { href: string; current: 'ascending' | 'descending' | null }> {
  const now = sortParts(sort);
  const link = (column: SortColumn) => {
    const current = now.column === column ? (now.ascending ? 'ascending' : 'descending') : null;
    const next = new URLSearchParams(params);
    const key = current === 'descending' ? `${column}_asc` : column;
    if (key === 'activity') next.delete('sort');
    else next.set('sort', key);
    if (next.size === 0) next.set('view', 'all');
    return { href: `?${next}`, current } as const;
  };
  return { id: link('id'), priority: link('priority'), created: link('created'), activity: link('activity'), sla: link('sla') };
}

/** The agent list (or only its table for htmx), with the bulk form's choices and any bulk outcome. */
export async function renderAgentList(db: Db, request: FastifyRequest, reply: FastifyReply, query: ListQuery,
  bulk: BulkOutcome | null = null, status?: number) {
  const actor = request.actor!;
  // The organisation filter by name (a desk with more organisations than a select should hold).
  const typedOrg = typeof query.orgname === 'string' ? query.orgname.trim().slice(0, 200) : '';
  let orgUnknown: string | null = null;
  if (typedOrg !== '' && (query.org === undefined || query.org === '')) {
    const org = await organizationByName(db, typedOrg);
    if (org) query = { ...query, org: String(org.id) };
    else orgUnknown = typedOrg;
  }
  const { filter, params, here, savedId } = listAddress(query);
  const listed = await listData(db, actor, filter, decodeCursor(filter.sort, here.get('after') ?? undefined));
  const { page, rowTags } = listed;
  const prefs = listPrefsOf(actor);
  const tagNames = await tagSuggestions(db);
  const zone = await viewerZone(request);
  const now = Date.now();
  // Tickets ticked before a failed bulk action stay ticked.
  const chosen = new Set(([] as unknown[]).concat((bulk?.values as { ids?: unknown } | undefined)?.ids || []).map(String));
  const t = request.t;
  const texts = request.server.catalogue.version;
  const rows = agentRowsHtml(listed, page.rows, {
    t, zone, texts, when: timeHelpers(request, zone, now).when, now, columns: prefs.columns, chosen, rowTags,
  });
  // The filters and the bulk actions are the same on every page of the list, but for what is chosen
  // in them: written once per language and texts (and choice) until the database changes.
  const language = `${t.locale ?? ''}|${texts}`;
  const choices = await bulkChoices(db);
  const bulkActions = bulk ? undefined : await keptPart([choices, tagNames], language,
    () => reply.viewAsync('tickets/_bulk-actions', { t, bulk: null, bulkChoices: choices, tagNames }));
  return reply.page('tickets/agent-list', {
    tickets: page.rows, next: page.next, filter, params: params.toString(), here: here.toString(), sorts: SORTS, savedId,
    bulk, bulkChoices: choices, bulkActions, canShare: canShareViews(actor), flashInPage: true,
    columns: prefs.columns, columnLabels: columnLabels(t), sortLinks: sortLinks(params, filter.sort), tagNames, rows,
  }, {
    status,
    fragment: 'tickets/_agent-table',
    pageOnly: async () => {
      const filterChoices = await listFilterChoices(db);
      const orgName = orgUnknown ?? (filter.organizationId === null ? '' : (await organizationName(db, filter.organizationId)) ?? '');
      const shown = { filter, params: params.toString(), orgName, orgUnknown };
      return {
        ...await menuData(db, actor),
        filters: await keptPart([filterChoices, tagNames], `${language}|${JSON.stringify(shown)}`,
          () => reply.viewAsync('tickets/_filters', { t, ...shown, choices: filterChoices, sorts: SORTS, tagNames })),
        problems: savedId ? await filterProblems(db, filter) : [],
        prefs, allColumns: LIST_COLUMNS,
      };
    },
  });
}

type BulkChoices = Awaited<ReturnType<typeof readBulkChoices>>;
const bulkCache = new ChangeCache<BulkChoices>(1);

/** What the bulk form offers: the workflow's statuses, active staff, groups (remembered until the database changes). */
function bulkChoices(db: Db): Promise<BulkChoices> {
  return bulkCache.get(db, 'bulk', () => readBulkChoices(db));
}

async function readBulkChoices(db: Db) {
  const [statuses, agents, groups] = await Promise.all([
    db.selectFrom('statuses').select(['id', 'name']).where('retired_at', 'is', null).orderBy('position').execute(),
    db.selectFrom('users').select(['id', 'name']).where('role', 'in', rolesOn('staff'))
      .where('state', '=', 'active').orderBy('name').execute(),
    db.selectFrom('groups').select(['id', 'name']).orderBy('name').execute(),
  ]);
  return { statuses, agents, groups };
}

async function organizationName(db: Db, id: number): Promise<string | undefined> {
  return (await db.selectFrom('organizations').select('name').where('id', '=', id).executeTakeFirst())?.name;
}
