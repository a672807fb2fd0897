import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChangeCache } from '../db/change-cache.js';
import type { Db } from '../db/connect.js';
import { countPendingOffers } from '../fleet/queries.js';
import { positiveInt } from '../lib/validate.js';
import { filterProblems } from '../saved-views/filter-check.js';
import { savedViewsMenu } from '../saved-views/menu.js';
import { canShareViews } from '../saved-views/saved-views.js';
import { decodeCursor, listTicketPage } from './list.js';
import { filterParams, parseListQuery, SORTS, type ListFilter } from './list-filter.js';
import { sideMenu } from './menu.js';
import { listFilterChoices, organizationByName } from './queries.js';

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
  if (savedId) params.set('saved', String(savedId));
  const here = new URLSearchParams(params);
  if (after) here.set('after', after);
  return { filter, params, here, savedId };
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
  const page = await listTicketPage(db, actor, filter, decodeCursor(filter.sort, here.get('after') ?? undefined));
  return reply.page('tickets/agent-list', {
    tickets: page.rows, next: page.next, filter, params: params.toString(), here: here.toString(), sorts: SORTS, savedId,
    bulk, bulkChoices: await bulkChoices(db), canShare: canShareViews(actor), flashInPage: true,
  }, {
    status,
    fragment: 'tickets/_agent-table',
    pageOnly: async () => ({
      menu: await sideMenu(db, actor, { counts: false }),
      offerCount: await countPendingOffers(db, actor.id),
      choices: await listFilterChoices(db),
      orgName: orgUnknown ?? (filter.organizationId === null ? '' : (await organizationName(db, filter.organizationId)) ?? ''),
      orgUnknown,
      savedViews: await savedViewsMenu(db, actor, { counts: false }),
      problems: savedId ? await filterProblems(db, filter) : [],
    }),
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
    db.selectFrom('users').select(['id', 'name']).where('role', 'in', ['admin', 'supervisor', 'agent'])
      .where('state', '=', 'active').orderBy('name').execute(),
    db.selectFrom('groups').select(['id', 'name']).orderBy('name').execute(),
  ]);
  return { statuses, agents, groups };
}

async function organizationName(db: Db, id: number): Promise<string | undefined> {
  return (await db.selectFrom('organizations').select('name').where('id', '=', id).executeTakeFirst())?.name;
}
