import t, { type Test } from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD, ticketIdsIn } from '../helpers/factories.js';

// Simple workflow statuses: 1 New, 2 Open, 3 Pending (open category), 4 Solved, 5 Closed.
async function deskWithTickets(t: Test) {
  const desk = await buildTestDesk(t);
  const { db } = desk;
  const me = await makeUser(db, 'agent', { name: 'Me Agent' });
  const other = await makeUser(db, 'agent', { name: 'Other Agent' });
  const org = await db.insertInto('organizations').values({ name: 'Acme', created_at: '2026-01-01T00:00:00Z' }).returning('id').executeTakeFirstOrThrow();
  const cora = await makeUser(db, 'customer', { name: 'Cora', organizationId: org.id });
  const dan = await makeUser(db, 'customer', { name: 'Dan' });
  const billing = await db.insertInto('groups').values({ name: 'Billing', created_at: '2026-01-01T00:00:00Z' }).returning('id').executeTakeFirstOrThrow();
  const ids = await makeTickets(db, 6, (i) => [
    { subject: 'new unassigned', requesterId: cora.id, organizationId: org.id, statusId: 1, priority: 'urgent' as const },
    { subject: 'open mine', requesterId: cora.id, organizationId: org.id, statusId: 2, assigneeId: me.id, groupId: billing.id },
    { subject: 'pending other', requesterId: dan.id, statusId: 3, assigneeId: other.id, priority: 'high' as const },
    { subject: 'solved mine', requesterId: dan.id, statusId: 4, assigneeId: me.id, priority: 'low' as const },
    { subject: 'closed other', requesterId: dan.id, statusId: 5, assigneeId: other.id },
    { subject: 'open unassigned billing', requesterId: dan.id, statusId: 2, groupId: billing.id },
  ][i]!);
  const client = new Client(desk.app);
  await client.login(me.email, PASSWORD);
  return { ...desk, client, me, other, cora, dan, org, billing, ids };
}

t.test('filters narrow the list to what was asked for', async (t) => {
  const d = await deskWithTickets(t);
  const ids = async (query: string) => {
    const res = await d.client.get(`/agent/tickets?${query}`);
    t.equal(res.statusCode, 200, query);
    return ticketIdsIn(res.body).sort((a, b) => a - b);
  };
  const [n1, n2, n3, n4, n5, n6] = d.ids;
  t.same(await ids('view=all'), [n1, n2, n3, n4, n5, n6]);
  t.same(await ids('status=category:open'), [n2, n3, n6], 'Pending is an open status in the Simple workflow');
  t.same(await ids('status=3'), [n3]);
  t.same(await ids('assignee=me'), [n2, n4]);
  t.same(await ids('assignee=unassigned'), [n1, n6]);
  t.same(await ids(`assignee=${d.other.id}`), [n3, n5]);
  t.same(await ids(`group=${d.billing.id}`), [n2, n6]);
  t.same(await ids('priority=urgent'), [n1]);
  t.same(await ids(`org=${d.org.id}`), [n1, n2]);
  t.same(await ids(`requester=${d.dan.id}`), [n3, n4, n5, n6]);
  t.same(await ids('type=1&brand=1&assignee=me&status=category:solved'), [n4]);
  t.same(await ids('view=my_open'), [n2], 'my open tickets leave out solved ones');
  t.same(await ids('view=unassigned'), [n1, n6]);
  t.same(await ids('view=solved'), [n4]);
  t.same(await ids('view=all_open'), [n1, n2, n3, n6]);
  t.same(await ids(`view=my_open&group=${d.billing.id}`), [n2], 'a view and a filter combine');
});

t.test('with more organisations than a select holds, the organisation filter is a name field that works without JS', async (t) => {
  const d = await deskWithTickets(t);
  await d.db.insertInto('organizations').values(Array.from({ length: 120 }, (_, i) => ({ name: `Org ${String(i).padStart(3, '0')}`, created_at: '2026-01-01T00:00:00Z' }))).execute();
  const page = await d.client.get('/agent/tickets');
  t.equal(page.statusCode, 200);
  t.notMatch(page.body, 'id="filter-org" name="org"', 'no select of every organisation');
  t.match(page.body, /<input id="filter-org" name="orgname" type="text" list="org-options"[^>]*value=""/);
  t.notMatch(page.body, '<option value="Org 000"', 'the page carries no organisation names');

  const byName = await d.client.get('/agent/tickets?orgname=acme');
  t.equal(byName.statusCode, 200);
  t.same(ticketIdsIn(byName.body).sort((a, b) => a - b), [d.ids[0], d.ids[1]], 'the exact name, whatever its case, filters (a plain GET form)');
  t.match(byName.body, /name="orgname"[^>]*value="Acme"/, 'the field shows the organisation chosen');
  const byId = await d.client.get(`/agent/tickets?org=${d.org.id}`);
  t.match(byId.body, /name="orgname"[^>]*value="Acme"/, 'an address with the id (a link, a saved view) shows its name too');

  const unknown = await d.client.get('/agent/tickets?orgname=Nobody%20%26%20Co');
  t.equal(ticketIdsIn(unknown.body).length, 6, 'an unknown name does not filter');
  t.match(unknown.body, 'aria-invalid="true" aria-describedby="filter-org-error"');
  t.match(unknown.body, 'No organisation is called “Nobody &amp; Co”');

  const options = await d.client.get('/agent/organizations/options?orgname=org%2001', { 'hx-request': 'true', 'hx-request-type': 'partial' });
  t.equal(options.statusCode, 200);
  t.match(options.body, /^<datalist id="org-options">/);
  t.same([...options.body.matchAll(/<option value="([^"]+)">/g)].map((m) => m[1]), Array.from({ length: 10 }, (_, i) => `Org 01${i}`), 'names starting with what was typed, ignoring case');
  t.same([...(await d.client.get('/agent/organizations/options?orgname=%25')).body.matchAll(/<option /g)], [], '% is a character, not a wildcard');
});

t.test('sorting by created, priority and id', async (t) => {
  const d = await deskWithTickets(t);
  const order = async (sort: string) => ticketIdsIn((await d.client.get(`/agent/tickets?sort=${sort}`)).body);
  const [n1, n2, n3, n4, n5, n6] = d.ids;
  t.same(await order('id'), [n6, n5, n4, n3, n2, n1]);
  t.same(await order('created'), [n6, n5, n4, n3, n2, n1]);
  t.same(await order('priority'), [n1, n3, n6, n5, n2, n4], 'urgent, high, then normal by activity, then low');
});

t.test('keyset pages follow the chosen sort all the way, keeping the filters', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = new Client(app);
  await agent.login((await makeUser(db, 'agent')).email, PASSWORD);
  const customer = await makeUser(db, 'customer');
  const priorities = ['low', 'normal', 'high', 'urgent'] as const;
  await makeTickets(db, 130, (i) => ({ requesterId: customer.id, priority: priorities[i % 4]!, statusId: i % 5 === 0 ? 4 : 2,
    at: new Date(Date.parse('2026-01-01T00:00:00Z') + Math.floor(i / 3) * 1000).toISOString() }));
  const expected = (await db.selectFrom('tickets').select(['id', 'priority', 'last_activity_at']).where('status_id', '=', 2).execute())
    .sort((a, b) => priorities.indexOf(b.priority) - priorities.indexOf(a.priority) || b.last_activity_at.localeCompare(a.last_activity_at) || b.id - a.id)
    .map((r) => r.id);
  const seen: number[] = [];
  let url: string | null = '/agent/tickets?status=2&sort=priority';
  while (url) {
    const page = await agent.get(url);
    t.equal(page.statusCode, 200);
    seen.push(...ticketIdsIn(page.body));
    const next = /<p class="pager"><a href="\?([^"]+)"/.exec(page.body)?.[1];
    url = next ? `/agent/tickets?${next.replace(/&amp;/g, '&')}` : null;
    if (url) t.match(url, 'status=2&sort=priority&after=', 'the next link keeps the filter and sort');
  }
  t.same(seen, expected, 'every matching ticket exactly once, in order');
});

t.test('unknown or malformed filter values are refused with 400', async (t) => {
  const d = await deskWithTickets(t);
  for (const query of ['sort=subject', "sort=id;drop table tickets", 'view=everything', 'status=category:lost', 'status=abc',
    'assignee=someone', 'group=1.5', 'priority=critical', 'org=-1', 'sort=id&sort=created', 'after=bogus', 'sort=id&after=WyJ4Il0']) {
    const res = await d.client.get(`/agent/tickets?${query}`);
    t.equal(res.statusCode, 400, query);
  }
});

t.test('with htmx the filter form swaps only the table', async (t) => {
  const d = await deskWithTickets(t);
  const page = await d.client.get('/agent/tickets');
  t.match(page.body, /<form class="filters" method="get" action="\/agent\/tickets" hx-get="\/agent\/tickets" hx-target="#ticket-table"/);
  t.match(page.body, 'hx-push-url="true"');
  const partial = await d.client.get('/agent/tickets?priority=urgent', { 'hx-request': 'true', 'hx-request-type': 'partial' });
  t.equal(partial.statusCode, 200);
  t.match(partial.body, /^<div id="ticket-table">/);
  t.notMatch(partial.body, 'side-menu');
  t.same(ticketIdsIn(partial.body), [d.ids[0]]);
});

t.test('the side menu shows each view with its count, capped at 999+, loaded after the page', async (t) => {
  const d = await deskWithTickets(t);
  await d.db.insertInto('group_members').values({ group_id: d.billing.id, user_id: d.me.id }).execute();
  const page = await d.client.get('/agent/tickets?view=all_open');
  t.equal(page.statusCode, 200);
  t.match(page.body, 'hx-get="/agent/tickets/menu?view=all_open" hx-trigger="load" hx-swap="outerHTML"', 'the list never waits for the counts');
  t.notMatch(page.body, /<span>All open<\/span>\s*<span class="count">/, 'the page itself carries no count');
  t.match(page.body, /<span>Billing<\/span>/, "the group's queue is in the menu");
  const menu = await d.client.get('/agent/tickets/menu?view=all_open', { 'hx-request': 'true', 'hx-request-type': 'partial' });
  t.equal(menu.statusCode, 200);
  t.match(menu.body, /^\s*<ul id="menu-views">/, 'the counted menu replaces the uncounted one, without loading itself again');
  t.match(menu.body, /<a href="\/agent\/tickets\?view=all_open" aria-current="page">/);
  const count = (label: string) => new RegExp(`<span>${label}</span>\\s*<span class="count">([^<]+)</span>`).exec(menu.body)?.[1];
  t.equal(count('My open tickets'), '1');
  t.equal(count('Unassigned'), '2');
  t.equal(count('All open'), '4');
  t.equal(count('Waiting on customer'), '0', 'no pending-category status in the Simple workflow');
  t.equal(count('Solved'), '1');
  t.equal(count('All'), '6');
  t.equal(count('Billing'), '2', "a queue for the agent's group");

  const other = new Client(d.app);
  await other.login(d.other.email, PASSWORD);
  const theirs = await other.page('/agent/tickets/menu');
  t.match(theirs, /<span>My open tickets<\/span>\s*<span class="count">1<\/span>/, 'counted for who asks (cached per person)');
  t.notMatch(theirs, '<span>Billing</span>', 'only their own groups');

  await makeTickets(d.db, 1200, { requesterId: d.dan.id, statusId: 1 });
  const big = await d.client.get('/agent/tickets/menu');
  t.match(big.body, /<span>All<\/span>\s*<span class="count">999\+<\/span>/, 'a write makes the counts fresh again');
  t.equal((await new Client(d.app).get('/agent/tickets/menu')).statusCode, 303, 'staff only');
});

t.test('tickets with activity since the agent last opened them are bold', async (t) => {
  const d = await deskWithTickets(t);
  const rowOf = (html: string, id: number) => new RegExp(`<tr class="([^"]*)">\\s*<td><input type="checkbox" name="ids" value="${id}"`).exec(html)?.[1];
  const id = d.ids[1]!;
  t.equal(rowOf((await d.client.get('/agent/tickets')).body, id), 'unread', 'never opened: bold');
  await d.client.get(`/agent/tickets/${id}`);
  t.equal(rowOf((await d.client.get('/agent/tickets')).body, id), '', 'opened: normal');
  await d.db.updateTable('tickets').set({ last_activity_at: new Date(Date.now() + 1000).toISOString() }).where('id', '=', id).execute();
  t.equal(rowOf((await d.client.get('/agent/tickets')).body, id), 'unread', 'new activity: bold again');

  // Opening it again writes only what changes what anyone sees (tickets/queries.ts markSeen).
  const seenAt = async () => (await d.db.selectFrom('ticket_seen').select('seen_at').where('ticket_id', '=', id)
    .where('user_id', '=', d.me.id).executeTakeFirstOrThrow()).seen_at;
  const minuteAgo = new Date(Date.now() - 30_000).toISOString();
  await d.db.updateTable('tickets').set({ last_activity_at: new Date(Date.now() - 40_000).toISOString() }).where('id', '=', id).execute();
  await d.db.updateTable('ticket_seen').set({ seen_at: new Date(Date.now() - 50_000).toISOString() }).where('ticket_id', '=', id).execute();
  t.equal(rowOf((await d.client.get('/agent/tickets')).body, id), 'unread', 'activity after the last opening: bold');
  t.equal((await d.client.get(`/agent/tickets/${id}`)).statusCode, 200);
  const opened = await seenAt();
  t.ok(opened > minuteAgo, 'opening it stores the time');
  t.equal(rowOf((await d.client.get('/agent/tickets')).body, id), '', 'and it is normal again');
  t.equal((await d.client.get(`/agent/tickets/${id}`)).statusCode, 200);
  t.equal(await seenAt(), opened, 'opening it again within a minute, nothing new: the row is not rewritten');
  await d.db.updateTable('ticket_seen').set({ seen_at: new Date(Date.now() - 61_000).toISOString() }).where('ticket_id', '=', id).execute();
  t.equal((await d.client.get(`/agent/tickets/${id}`)).statusCode, 200);
  t.ok(await seenAt() > minuteAgo, 'a stored time over a minute old is brought up to date (the fleet tab shows it)');
});

t.test('an agent of a restricted group sees only their group\'s tickets, in lists, counts and details', async (t) => {
  const d = await deskWithTickets(t);
  const provider = await d.db.insertInto('groups').values({ name: 'Provider', is_restricted: 1, created_at: '2026-01-01T00:00:00Z' })
    .returning('id').executeTakeFirstOrThrow();
  const outsider = await makeUser(d.db, 'agent');
  await d.db.insertInto('group_members').values({ group_id: provider.id, user_id: outsider.id }).execute();
  const [theirs] = await makeTickets(d.db, 1, { requesterId: d.dan.id, groupId: provider.id, subject: 'provider job' });
  const client = new Client(d.app);
  await client.login(outsider.email, PASSWORD);
  const list = await client.get('/agent/tickets?view=all');
  t.same(ticketIdsIn(list.body), [theirs]);
  t.match((await client.get('/agent/tickets/menu')).body, /<span>All<\/span>\s*<span class="count">1<\/span>/);
  t.equal((await client.get(`/agent/tickets/${theirs}`)).statusCode, 200);
  t.equal((await client.get(`/agent/tickets/${d.ids[0]}`)).statusCode, 404);
  const unrestricted = await d.client.get('/agent/tickets?view=all');
  t.ok(ticketIdsIn(unrestricted.body).includes(theirs!), 'other agents still see everything');
});
