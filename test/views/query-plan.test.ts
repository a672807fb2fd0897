// Speed checks (issue 8.4): every filter and sort of the agent list is answered from an index,
// never by reading the whole tickets table; sorts page along their index without sorting the table.
import { CompiledQuery } from 'kysely';
import t from 'tap';
import type { Db } from '../../src/db/connect.js';
import { filteredTickets, listPageQuery, statusLookup } from '../../src/tickets/list.js';
import { listFilterFor, parseMyTicketsQuery } from '../../src/portal/my-tickets.js';
import { parseListQuery } from '../../src/tickets/list-filter.js';
import { toActor } from '../../src/users/actor.js';
import { buildTestDesk } from '../helpers/app.js';
import { sqliteOnly } from '../helpers/database.js';
import { makeTickets, makeUser } from '../helpers/factories.js';

async function plan(db: Db, query: string, actorRow: Parameters<typeof toActor>[0]): Promise<string[]> {
  const filter = parseListQuery(Object.fromEntries(new URLSearchParams(query)));
  const compiled = listPageQuery(db, toActor(actorRow), filter, null, await statusLookup(db)).compile();
  const result = await db.executeQuery<{ id: number; parent: number; detail: string }>(
    CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]));
  return result.rows.map((r) => r.detail);
}

t.test('each list filter and sort uses an index', sqliteOnly('SQLite\'s EXPLAIN QUERY PLAN; PostgreSQL\'s plans are not checked yet (issue 18: the 1M-ticket benchmark)'), async (t) => {
  const { db } = await buildTestDesk(t);
  const agent = await makeUser(db, 'agent');
  const customer = await makeUser(db, 'customer');
  const org = await db.insertInto('organizations').values({ name: 'Acme', created_at: '2026-01-01T00:00:00Z' }).returning('id').executeTakeFirstOrThrow();
  const group = await db.insertInto('groups').values({ name: 'G', created_at: '2026-01-01T00:00:00Z' }).returning('id').executeTakeFirstOrThrow();
  const priorities = ['low', 'normal', 'high', 'urgent'] as const;
  await makeTickets(db, 2000, (i) => ({ requesterId: customer.id, statusId: (i % 5) + 1, priority: priorities[i % 4]!,
    assigneeId: i % 3 === 0 ? agent.id : null, groupId: i % 7 === 0 ? group.id : null, organizationId: i % 11 === 0 ? org.id : null }));
  // Tags (issue 20): a common one on every third ticket, a rare one on a few.
  const [common, rare] = await db.insertInto('tags').values([{ name: 'billing' }, { name: 'refund' }]).returning('id').execute();
  const ids = (await db.selectFrom('tickets').select('id').execute()).map((r) => r.id);
  await db.insertInto('ticket_tags').values([
    ...ids.filter((id) => id % 3 === 0).map((ticket_id) => ({ ticket_id, tag_id: common!.id })),
    ...ids.filter((id) => id % 97 === 0).map((ticket_id) => ({ ticket_id, tag_id: rare!.id })),
  ]).execute();
  await db.executeQuery(CompiledQuery.raw('analyze'));
  const actor = await db.selectFrom('users').selectAll().where('id', '=', agent.id).executeTakeFirstOrThrow();

  const filters = ['status=2', 'status=category:open', 'view=my_open', 'view=unassigned', `assignee=${agent.id}`, `group=${group.id}`,
    'type=1', 'brand=1', `org=${org.id}`, `requester=${customer.id}`, 'priority=urgent', `view=group-${group.id}`,
    'tag=billing', 'tag=refund', 'tag=billing&tag=refund', 'view=my_open&tag=refund'];
  for (const query of filters) {
    const steps = await plan(db, query, actor);
    const tickets = steps.filter((s) => /\btickets\b/.test(s));
    t.ok(tickets.length > 0 && tickets.every((s) => /USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/.test(s)), `${query}: ${tickets.join(' / ')}`);
    t.notOk(steps.some((s) => /^SCAN tickets$/.test(s)), `${query}: never a full scan of tickets`);
    // A tag is found by its unique name, its tickets through (tag_id, ticket_id): never a scan of ticket_tags.
    const tagSteps = steps.filter((s) => /\b(ticket_tags|tags)\b/.test(s));
    t.ok(tagSteps.length > 0 === query.includes('tag=') && tagSteps.every((s) => /^SEARCH \w+ USING (COVERING )?INDEX \w+ \((name|tag_id)=\?/.test(s)),
      `${query}: ${tagSteps.join(' / ')}`);
  }
  // Each column also sorts the other way (a second click on its header): the same index, walked forwards.
  for (const sort of ['activity', 'created', 'priority', 'id', 'activity_asc', 'created_asc', 'priority_asc', 'id_asc']) {
    const steps = await plan(db, `sort=${sort}`, actor);
    const inner = steps.findIndex((s) => /tickets/.test(s));
    // sort=id walks the table's own b-tree (the rowid is the id) backwards: in order, no index needed.
    const walk = sort.startsWith('id') ? /^SCAN tickets$/ : /^SCAN tickets USING (COVERING )?INDEX tickets_/;
    t.match(steps[inner], walk, `sort=${sort}: ${steps[inner]}`);
    // The page's 51 rows are chosen by walking the sort's index; only the joined page is sorted again.
    const sortsTable = steps.slice(inner, inner + 2).some((s) => /TEMP B-TREE FOR ORDER BY/.test(s));
    t.notOk(sortsTable, `sort=${sort}: the tickets table is not sorted`);
  }
});

t.test('the "Next SLA due" sort walks ticket_slas by due time, then the tickets by number: it sorts no table', sqliteOnly('SQLite\'s EXPLAIN QUERY PLAN'), async (t) => {
  const { db } = await buildTestDesk(t);
  const agent = await makeUser(db, 'agent');
  const customer = await makeUser(db, 'customer');
  await makeTickets(db, 500, () => ({ requesterId: customer.id }));
  await db.executeQuery(CompiledQuery.raw('analyze'));
  const actor = await db.selectFrom('users').selectAll().where('id', '=', agent.id).executeTakeFirstOrThrow();
  for (const query of ['sort=sla', 'view=all_open&sort=sla', 'view=sla_breached']) {
    const steps = await plan(db, query, actor);
    t.ok(steps.some((s) => /^(SCAN|SEARCH) (ticket_slas|s) USING (COVERING )?INDEX ticket_slas_next_due/.test(s)),
      `${query}: due tickets along (next_due_at, ticket_id): ${steps.join(' / ')}`);
    // Sorted by due time over every ticket: only the final page (at most twice 51 rows) is ordered again.
    if (query.includes('sort=sla')) t.equal(steps.filter((s) => /TEMP B-TREE FOR ORDER BY/.test(s)).length, 1, `${query}: one sort, of the page: ${steps.join(' / ')}`);
  }
});

t.test('the portal\'s organisation view counts its open tickets through (organization_id, status_id, ...)', sqliteOnly('SQLite\'s EXPLAIN QUERY PLAN'), async (t) => {
  const { db } = await buildTestDesk(t);
  const org = await db.insertInto('organizations').values({ name: 'Acme', created_at: '2026-01-01T00:00:00Z', members_see_all_tickets: 1 })
    .returning('id').executeTakeFirstOrThrow();
  const member = await makeUser(db, 'customer', { organizationId: org.id });
  const other = await makeUser(db, 'customer', { organizationId: org.id });
  await makeTickets(db, 600, (i) => ({ requesterId: i % 2 ? member.id : other.id, organizationId: org.id, statusId: i % 40 === 0 ? 2 : 5 }));
  // The rest of the desk: open tickets of many others, so that neither the status nor the organisation alone narrows much.
  const elsewhere = await makeUser(db, 'customer');
  await makeTickets(db, 1500, (i) => ({ requesterId: elsewhere.id, statusId: 2 + (i % 2) }));
  await db.executeQuery(CompiledQuery.raw('analyze'));
  const actor = toActor(await db.selectFrom('users').selectAll().where('id', '=', member.id).executeTakeFirstOrThrow());
  const lookup = await statusLookup(db);
  const filter = listFilterFor(actor, parseMyTicketsQuery({ view: 'org' }), 'opened');
  const compiled = filteredTickets(db, actor, filter, lookup).select('tickets.id').compile();
  const steps = (await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]))).rows.map((r) => r.detail);
  t.ok(steps.some((s) => /SEARCH tickets USING (COVERING )?INDEX tickets_organization_status_activity \(organization_id=\? AND status_id=\?/.test(s)), steps.join(' / '));
  t.equal((await filteredTickets(db, actor, filter, lookup).select('tickets.id').execute()).length, 15, 'and finds the open ones');
});
