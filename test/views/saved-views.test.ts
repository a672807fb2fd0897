// Saved views (issue 8.2): an agent saves the list's filters as a view, personal or (supervisors and
// admins only) shared; views appear in the menu with counts loaded after the page; rename, delete,
// refused filters, and views whose filter names something that was removed.
import t, { type Test } from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD, ticketIdsIn } from '../helpers/factories.js';

async function desk(t: Test) {
  const d = await buildTestDesk(t);
  const agent = await makeUser(d.db, 'agent', { name: 'Ada Agent' });
  const other = await makeUser(d.db, 'agent', { name: 'Otto Other' });
  const supervisor = await makeUser(d.db, 'supervisor', { name: 'Sue Supervisor' });
  const customer = await makeUser(d.db, 'customer');
  const billing = await d.db.insertInto('groups').values({ name: 'Billing', created_at: '2026-01-01T00:00:00Z' }).returning('id').executeTakeFirstOrThrow();
  // Statuses of the Simple workflow: 1 New, 2 Open, 3 Pending, 4 Solved.
  const ids = await makeTickets(d.db, 6, (i) => [
    { subject: 'urgent new', requesterId: customer.id, statusId: 1, priority: 'urgent' as const },
    { subject: 'urgent open billing', requesterId: customer.id, statusId: 2, priority: 'urgent' as const, groupId: billing.id },
    { subject: 'urgent solved', requesterId: customer.id, statusId: 4, priority: 'urgent' as const },
    { subject: 'high open', requesterId: customer.id, statusId: 2, priority: 'high' as const, groupId: billing.id },
    { subject: 'normal new', requesterId: customer.id, statusId: 1 },
    { subject: 'low open', requesterId: customer.id, statusId: 2, priority: 'low' as const },
  ][i]!);
  const login = async (email: string) => {
    const client = new Client(d.app);
    await client.login(email, PASSWORD);
    await client.get('/agent/tickets');
    return client;
  };
  return { ...d, agent, other, supervisor, billing, ids, login };
}

const savedLinks = (html: string) => [...html.matchAll(/<a href="\/agent\/tickets\?([^"]*saved=(\d+))"[^>]*>\s*<span>([^<]*)<\/span>(?:\s*<span class="badge">[^<]*<\/span>)?(?:\s*<span class="count">([^<]*)<\/span>)?/g)]
  .map((m) => ({ query: m[1]!.replace(/&amp;/g, '&'), id: Number(m[2]), name: m[3], count: m[4] }));

t.test('an agent saves the current filters as a personal view; it appears in the menu, counted after the page', async (t) => {
  const d = await desk(t);
  const ada = await d.login(d.agent.email);
  const list = await ada.get('/agent/tickets?priority=urgent&sort=id');
  t.equal(list.statusCode, 200);
  t.match(list.body, /<input type="hidden" name="query" value="priority=urgent&amp;sort=id">/, 'the save form carries the current filters');
  t.notMatch(list.body, 'name="shared"', 'agents are not offered sharing');

  const saved = await ada.post('/agent/views', { name: 'Urgent <all>', query: 'priority=urgent&sort=id' });
  t.equal(saved.statusCode, 303);
  const row = await d.db.selectFrom('saved_views').selectAll().executeTakeFirstOrThrow();
  t.match(row, { owner_id: d.agent.id, name: 'Urgent <all>', query: 'priority=urgent&sort=id', shared: 0 });
  t.equal(saved.headers.location, `/agent/tickets?priority=urgent&sort=id&saved=${row.id}`);

  const opened = await ada.get(saved.headers.location as string);
  t.equal(opened.statusCode, 200);
  t.match(opened.body, 'The view was saved.');
  t.same(ticketIdsIn(opened.body), [d.ids[2], d.ids[1], d.ids[0]], 'the view lists urgent tickets, newest id first');
  t.match(opened.body, 'Urgent &lt;all&gt;', 'the name is escaped');
  t.notMatch(opened.body, 'Urgent <all>');
  t.match(opened.body, `hx-get="/agent/views/menu?saved=${row.id}" hx-trigger="load"`, 'the counts come after the page');
  t.equal(savedLinks(opened.body)[0]?.count, undefined, 'the page itself does not wait for the count');

  const menu = await ada.get(`/agent/views/menu?saved=${row.id}`, { 'hx-request': 'true', 'hx-request-type': 'partial' });
  t.equal(menu.statusCode, 200);
  t.match(menu.body, /^\s*<ul id="saved-views"/);
  t.match(menu.body, 'aria-current="page"');
  t.same(savedLinks(menu.body).map((v) => [v.name, v.count]), [['Urgent &lt;all&gt;', '3']]);

  const manage = await ada.get('/agent/views');
  t.match(manage.body, /Urgent &lt;all&gt;<\/a>\s*<\/td>\s*<td>3<\/td>\s*<td>Only me<\/td>/, 'the manage page shows the count without JS');

  const otto = await d.login(d.other.email);
  t.same(savedLinks((await otto.get('/agent/views/menu')).body), [], 'a personal view is not in anyone else\'s menu');
  t.equal((await otto.get(`/agent/views/${row.id}/edit`)).statusCode, 404);
  t.equal((await otto.post(`/agent/views/${row.id}/delete`)).statusCode, 404);
  t.ok(await d.db.selectFrom('saved_views').select('id').executeTakeFirst(), 'still there');
});

t.test('shared views: supervisors create, change and delete them; agents see them but may not touch them', async (t) => {
  const d = await desk(t);
  const ada = await d.login(d.agent.email);
  const refused = await ada.post('/agent/views', { name: 'Team urgent', query: 'priority=urgent', shared: '1' });
  t.equal(refused.statusCode, 403);
  t.match(refused.body, 'Only supervisors and admins may create, change or delete shared views.');
  t.equal((await d.db.selectFrom('saved_views').select('id').execute()).length, 0, 'nothing saved');

  const sue = await d.login(d.supervisor.email);
  t.match((await sue.get('/agent/tickets')).body, 'name="shared" value="1"', 'supervisors are offered sharing');
  t.equal((await sue.post('/agent/views', { name: 'Billing queue', query: `group=${d.billing.id}&status=2`, shared: '1' })).statusCode, 303);
  const view = await d.db.selectFrom('saved_views').selectAll().executeTakeFirstOrThrow();
  t.equal(view.shared, 1);
  t.ok(await d.db.selectFrom('audit_log').select('id').where('action', '=', 'saved_view.created').executeTakeFirst(), 'a shared view is audited');

  const menu = await ada.get('/agent/views/menu');
  t.same(savedLinks(menu.body).map((v) => [v.name, v.count]), [['Billing queue', '2']], 'every agent sees the shared view, counted');
  t.same(ticketIdsIn((await ada.get(`/agent/tickets?${savedLinks(menu.body)[0]!.query}`)).body), [d.ids[3], d.ids[1]]);
  t.notMatch(await ada.page('/agent/views'), `/agent/views/${view.id}/edit`, 'no edit link for an agent');
  t.equal((await ada.get(`/agent/views/${view.id}/edit`)).statusCode, 403);
  t.equal((await ada.post(`/agent/views/${view.id}`, { name: 'Mine now', query: view.query })).statusCode, 403);
  t.equal((await ada.post(`/agent/views/${view.id}/delete`)).statusCode, 403);
  t.equal((await d.db.selectFrom('saved_views').select('name').executeTakeFirstOrThrow()).name, 'Billing queue');

  t.equal((await sue.post(`/agent/views/${view.id}`, { name: 'Billing (open)', query: view.query, shared: '1' })).statusCode, 303);
  t.equal((await d.db.selectFrom('saved_views').select('name').executeTakeFirstOrThrow()).name, 'Billing (open)', 'renamed');
  const del = await sue.post(`/agent/views/${view.id}/delete`);
  t.equal(del.statusCode, 303);
  t.match((await sue.get('/agent/views')).body, 'The view was deleted.');
  t.equal((await d.db.selectFrom('saved_views').select('id').execute()).length, 0);
  t.same((await d.db.selectFrom('audit_log').select('action').where('action', 'like', 'saved_view.%').orderBy('id').execute()).map((r) => r.action),
    ['saved_view.created', 'saved_view.changed', 'saved_view.deleted']);
});

t.test('rename and delete a personal view', async (t) => {
  const d = await desk(t);
  const ada = await d.login(d.agent.email);
  await ada.post('/agent/views', { name: 'Open', query: '/agent/tickets?status=2&after=xyz' });
  const view = await d.db.selectFrom('saved_views').selectAll().executeTakeFirstOrThrow();
  t.equal(view.query, 'status=2', 'a pasted list address is kept as its filters only');
  const edit = await ada.get(`/agent/views/${view.id}/edit`);
  t.match(edit.body, 'value="Open"');
  t.equal((await ada.post(`/agent/views/${view.id}`, { name: 'Open tickets', query: 'status=2' })).statusCode, 303);
  t.same(savedLinks((await ada.get('/agent/views/menu')).body).map((v) => [v.name, v.count]), [['Open tickets', '3']]);
  t.equal((await ada.post(`/agent/views/${view.id}/delete`)).statusCode, 303);
  t.match((await ada.get('/agent/views/menu')).body, 'No saved views yet.');
});

t.test('a filter the list would refuse is refused on save, with the form shown again and the values kept', async (t) => {
  const d = await desk(t);
  const ada = await d.login(d.agent.email);
  for (const query of ['priority=critical', 'sort=subject', 'status=category:lost', 'group=1&group=2', `group=9999`]) {
    const res = await ada.post('/agent/views', { name: 'Broken "one"', query });
    t.equal(res.statusCode, 422, query);
    t.match(res.body, 'value="Broken &quot;one&quot;"', 'the name is kept');
    t.match(res.body, `>${query.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}<`.replace(/^>|<$/g, ''), 'the filter is kept');
    t.match(res.body, /aria-invalid="true"/);
  }
  t.match((await ada.post('/agent/views', { name: 'x', query: 'group=9999' })).body, 'The group it filters by (#9999) was removed');
  const noName = await ada.post('/agent/views', { name: '', query: 'status=2' });
  t.equal(noName.statusCode, 422);
  t.match(noName.body, 'value="status=2"');
  t.equal((await d.db.selectFrom('saved_views').select('id').execute()).length, 0, 'nothing half-saved');
  t.equal((await ada.post('/agent/views', { name: 'x', query: 'status=2', _csrf: 'forged' })).statusCode, 403, 'CSRF');
});

t.test('a view whose group was removed or whose status was retired still opens and says what changed', async (t) => {
  const d = await desk(t);
  const ada = await d.login(d.agent.email);
  const temp = await d.db.insertInto('groups').values({ name: 'Temp', created_at: '2026-01-01T00:00:00Z' }).returning('id').executeTakeFirstOrThrow();
  await ada.post('/agent/views', { name: 'Temp queue', query: `group=${temp.id}` });
  await ada.post('/agent/views', { name: 'Pending', query: 'status=3' });
  await d.db.deleteFrom('groups').where('id', '=', temp.id).execute();
  await d.db.updateTable('statuses').set({ retired_at: '2026-02-01T00:00:00Z' }).where('id', '=', 3).execute();

  const links = savedLinks((await ada.get('/agent/views/menu')).body);
  t.same(links.map((v) => [v.name, v.count]), [['Pending', '0'], ['Temp queue', '0']], 'both still counted');
  const gone = await ada.get(`/agent/tickets?${links[1]!.query}`);
  t.equal(gone.statusCode, 200);
  t.match(gone.body, `The group it filters by (#${temp.id}) was removed: no ticket matches.`);
  const retired = await ada.get(`/agent/tickets?${links[0]!.query}`);
  t.match(retired.body, 'The status “Pending” is retired');
  const id = links[1]!.id;
  t.equal((await ada.post(`/agent/views/${id}`, { name: 'Old temp queue', query: `group=${temp.id}` })).statusCode, 303,
    'an unchanged filter does not stop a rename');
});
