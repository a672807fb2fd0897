// The dense agent list (issue 19): the columns an agent chooses (kept in their profile), sorting by
// a click on a column header (plain links, aria-sort), the heading naming the view shown, and the
// bare list address landing on the agent's chosen view, "My open tickets" until they choose.
import t, { type Test } from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD, ticketIdsIn } from '../helpers/factories.js';

// Simple workflow statuses: 1 New, 2 Open, 3 Pending (open category), 4 Solved, 5 Closed.
async function desk(t: Test) {
  const d = await buildTestDesk(t);
  const me = await makeUser(d.db, 'agent', { name: 'Mia Agent' });
  const other = await makeUser(d.db, 'agent', { name: 'Olli Other' });
  const org = await d.db.insertInto('organizations').values({ name: 'Acme Corp', created_at: '2026-01-01T00:00:00Z' }).returning('id').executeTakeFirstOrThrow();
  const cora = await makeUser(d.db, 'customer', { name: 'Cora Customer', organizationId: org.id });
  const billing = await d.db.insertInto('groups').values({ name: 'Billing', created_at: '2026-01-01T00:00:00Z' }).returning('id').executeTakeFirstOrThrow();
  const ids = await makeTickets(d.db, 5, (i) => [
    { subject: 'mine open', requesterId: cora.id, organizationId: org.id, statusId: 2, assigneeId: me.id, priority: 'high' as const },
    { subject: 'mine solved', requesterId: cora.id, statusId: 4, assigneeId: me.id },
    { subject: 'theirs open', requesterId: cora.id, statusId: 2, assigneeId: other.id, groupId: billing.id },
    { subject: 'nobody new', requesterId: cora.id, statusId: 1, priority: 'urgent' as const },
    { subject: 'mine pending', requesterId: cora.id, statusId: 3, assigneeId: me.id, priority: 'low' as const },
  ][i]!);
  const client = new Client(d.app);
  await client.login(me.email, PASSWORD);
  return { ...d, me, other, cora, org, billing, ids, client };
}

/** The header cells of the list: their text (links included) and aria-sort. */
function headers(html: string): { text: string; sort: string | null; href: string | null }[] {
  const thead = /<thead>([\s\S]*?)<\/thead>/.exec(html)?.[1] ?? '';
  return [...thead.matchAll(/<th scope="col"( aria-sort="(\w+)")?>([\s\S]*?)<\/th>/g)].slice(1).map((m) => ({
    text: m[3]!.replace(/<[^>]+>/g, '').trim(),
    sort: m[2] ?? null,
    href: /<a class="sort" href="([^"]*)"/.exec(m[3]!)?.[1]?.replace(/&amp;/g, '&') ?? null,
  }));
}

const heading = (html: string) => /<h1>([^<]*)<\/h1>/.exec(html)?.[1];
const title = (html: string) => /<title>([^<]*)<\/title>/.exec(html)?.[1];

t.test('the bare list address lands on "My open tickets", not on everything', async (t) => {
  const d = await desk(t);
  const [mineOpen, , , , minePending] = d.ids;
  const page = await d.client.page('/agent/tickets');
  t.equal(heading(page), 'My open tickets', 'the heading names the view');
  t.equal(title(page), 'My open tickets · Deskbell');
  t.match(page, /<a href="\/agent\/tickets\?view=my_open" aria-current="page">/, 'the menu marks it as the current view');
  t.same(ticketIdsIn(page).sort((a, b) => a - b), [mineOpen, minePending], 'only their own unsolved tickets');
  t.same(ticketIdsIn(await d.client.page('/agent/tickets?view=all')).length, 5, '"All" is still one click away');
  t.same(ticketIdsIn(await d.client.page(`/agent/tickets?requester=${d.cora.id}`)).length, 5,
    'an address with a filter (a requester\'s name in a row) means what it says, over all tickets');
});

t.test('the heading names the view, the group queue or the saved view shown', async (t) => {
  const d = await desk(t);
  await d.db.insertInto('group_members').values({ group_id: d.billing.id, user_id: d.me.id }).execute();
  for (const [query, expected] of [['view=all', 'All tickets'], ['view=unassigned', 'Unassigned tickets'], ['view=all_open', 'All open tickets'],
    ['view=solved', 'Solved tickets'], ['view=all&priority=urgent', 'All tickets'], [`view=group-${d.billing.id}`, 'Billing']] as const) {
    const page = await d.client.page(`/agent/tickets?${query}`);
    t.equal(heading(page), expected, query);
    t.equal(title(page), `${expected} · Deskbell`, `${query}: the window title too`);
  }
  const saved = await d.client.post('/agent/views', { name: 'Urgent & new', query: 'priority=urgent' });
  t.equal(saved.statusCode, 303);
  const page = await d.client.page(saved.headers.location as string);
  t.equal(heading(page), 'Urgent &amp; new', 'a saved view by its own name');
  t.same(ticketIdsIn(page), [d.ids[3]]);
});

t.test('an agent chooses the list\'s columns; the choice is kept in their profile and used on every list', async (t) => {
  const d = await desk(t);
  const before = await d.client.page('/agent/tickets?view=all');
  t.same(headers(before).map((h) => h.text), ['ID', 'Subject', 'Requester', 'Status', 'Priority', 'Type', 'Assignee', 'Group', 'Last activity'],
    'the default columns');
  t.match(before, /<span class="stack"><a class="quiet" href="\/agent\/tickets\?requester=\d+" title="Cora Customer">Cora Customer<\/a><span class="org" title="Acme Corp">Acme Corp<\/span><\/span>/,
    'requester and organisation stacked in one cell');
  t.match(before, /<a href="\/agent\/tickets\/\d+" title="mine open">mine open<\/a>/, 'the subject carries its full text as a title');

  const form = await d.client.page('/agent/tickets?view=all');
  t.match(form, /<form class="list-settings-form" method="post" action="\/agent\/tickets\/settings">/);
  t.match(form, '<input type="checkbox" name="column-created" value="1">', 'Created is offered, unticked');
  const body = new URLSearchParams({ _csrf: d.client.csrf, back: 'view=all&sort=id', landing: 'my_open' });
  for (const column of ['status', 'created', 'assignee']) body.append(`column-${column}`, '1');
  const saved = await post(d.client, body);
  t.equal(saved.statusCode, 303);
  t.equal(saved.headers.location, '/agent/tickets?sort=id', 'back to the same list (its address normalised)');
  const stored = JSON.parse((await d.db.selectFrom('users').select('ui_prefs').where('id', '=', d.me.id).executeTakeFirstOrThrow()).ui_prefs);
  t.same(stored, { listColumns: ['status', 'assignee', 'created'], landingView: 'my_open' }, 'kept in the profile, in the list\'s own order');

  const after = await d.client.page('/agent/tickets?view=all&sort=id');
  t.match(after, 'List settings saved.');
  t.same(headers(after).map((h) => h.text), ['ID', 'Subject', 'Status', 'Assignee', 'Created']);
  t.notMatch(after, 'Cora Customer', 'the requester column is gone');
  t.match(after, /<td data-label="Created"><time datetime="[^"]+" title="[^"]+">[^<]+<\/time><\/td>/, 'the creation time, relative, with the exact time');
  t.match(after, '<input type="checkbox" name="column-created" value="1" checked>', 'the form shows the choice');
  t.same(headers(await d.client.page('/agent/tickets?view=unassigned')).map((h) => h.text), ['ID', 'Subject', 'Status', 'Assignee', 'Created'], 'on every view');
  const partial = await d.client.page('/agent/tickets?view=all&priority=urgent', { 'hx-request': 'true', 'hx-request-type': 'partial' });
  t.same(headers(partial).map((h) => h.text), ['ID', 'Subject', 'Status', 'Assignee', 'Created'], 'and in the table htmx swaps in');

  const other = new Client(d.app);
  await other.login(d.other.email, PASSWORD);
  t.same(headers(await other.page('/agent/tickets?view=all')).map((h) => h.text).length, 9, 'another agent keeps the defaults');

  const forged = new URLSearchParams({ _csrf: d.client.csrf, 'column-status': 'yes' });
  t.equal((await post(d.client, forged)).statusCode, 400, 'a value no form sends is refused');
  const unknown = new URLSearchParams({ _csrf: d.client.csrf, 'column-password_hash': '1', 'column-status': '1' });
  t.equal((await post(d.client, unknown)).statusCode, 303);
  t.same(headers(await d.client.page('/agent/tickets?view=all')).map((h) => h.text), ['ID', 'Subject', 'Status'], 'a column no form offers is not read');
  const none = await post(d.client, new URLSearchParams({ _csrf: d.client.csrf, landing: 'my_open' }));
  t.equal(none.statusCode, 303);
  t.same(headers(await d.client.page('/agent/tickets?view=all')).map((h) => h.text), ['ID', 'Subject'], 'no columns ticked: number and subject only');
});

t.test('the landing view is a profile choice: a built-in view, a queue or a saved view', async (t) => {
  const d = await desk(t);
  const choose = (landing: string) => post(d.client, new URLSearchParams({ _csrf: d.client.csrf, landing, 'column-status': '1' }));
  t.equal((await choose('unassigned')).statusCode, 303);
  let page = await d.client.page('/agent/tickets');
  t.equal(heading(page), 'Unassigned tickets');
  t.same(ticketIdsIn(page), [d.ids[3]]);
  t.match(page, /<option value="unassigned" selected>Unassigned<\/option>/, 'the settings show the choice');

  const saved = await d.client.post('/agent/views', { name: 'Urgent ones', query: 'priority=urgent&view=all' });
  const id = Number(/saved=(\d+)/.exec(saved.headers.location as string)?.[1]);
  t.equal((await choose(`saved-${id}`)).statusCode, 303);
  page = await d.client.page('/agent/tickets');
  t.equal(heading(page), 'Urgent ones', 'the saved view, by name');
  t.same(ticketIdsIn(page), [d.ids[3]]);
  t.match(page, new RegExp(`<a href="/agent/tickets\\?priority=urgent&amp;saved=${id}" aria-current="page">`), 'marked in the menu');

  await d.client.post(`/agent/views/${id}/delete`);
  page = await d.client.page('/agent/tickets');
  t.equal(heading(page), 'My open tickets', 'a deleted saved view: back to the default');

  for (const bad of ['everything', 'group-x', 'saved-0', '../admin']) {
    t.equal((await choose(bad)).statusCode, 400, `"${bad}" is not a view`);
  }
  t.equal((await d.client.page('/agent/tickets')).includes('<h1>My open tickets</h1>'), true, 'nothing was changed by a refused choice');
});

t.test('column headers sort: a link each, aria-sort on the current one, a second click reverses it', async (t) => {
  const d = await desk(t);
  const [n1, n2, n3, n4, n5] = d.ids as [number, number, number, number, number];
  const page = await d.client.page('/agent/tickets?view=all');
  const heads = headers(page);
  const by = (text: string) => heads.find((h) => h.text === text)!;
  t.equal(by('Last activity').sort, 'descending', 'the list is sorted by last activity, newest first');
  t.equal(by('Last activity').href, '?view=all&sort=activity_asc', 'a click reverses it');
  t.equal(by('ID').sort, null);
  t.equal(by('ID').href, '?view=all&sort=id', 'ID sorts highest first');
  t.equal(by('Priority').href, '?view=all&sort=priority');
  t.equal(by('Subject').href, null, 'columns without an index to sort by are plain text');
  t.equal(heads.filter((h) => h.sort !== null).length, 1, 'one sorted column');

  const byId = await d.client.page('/agent/tickets?view=all&sort=id');
  t.same(ticketIdsIn(byId), [n5, n4, n3, n2, n1]);
  t.equal(headers(byId).find((h) => h.text === 'ID')!.sort, 'descending');
  t.equal(headers(byId).find((h) => h.text === 'ID')!.href, '?sort=id_asc');
  const upward = await d.client.page('/agent/tickets?view=all&sort=id_asc');
  t.same(ticketIdsIn(upward), [n1, n2, n3, n4, n5], 'lowest first');
  t.equal(headers(upward).find((h) => h.text === 'ID')!.sort, 'ascending');
  t.equal(headers(upward).find((h) => h.text === 'ID')!.href, '?sort=id', 'and back');
  t.equal(headers(upward).find((h) => h.text === 'Last activity')!.href, '?view=all', 'the default order keeps the view in the address');
  t.same(ticketIdsIn(await d.client.page('/agent/tickets?view=all&sort=priority_asc')), [n5, n2, n3, n1, n4], 'low, normal (older activity first), high, urgent');
  t.match(await d.client.page('/agent/tickets?view=my_open&priority=high'), 'href="?view=my_open&amp;priority=high&amp;sort=id"', 'sort links keep the view and filters');
  t.match(await d.client.page('/agent/tickets?view=all&sort=created_asc'), '<option value="created_asc" selected>Created, oldest first</option>', 'the sort select shows it too');
});

t.test('ascending pages follow their sort to the end, once each', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = new Client(app);
  await agent.login((await makeUser(db, 'agent')).email, PASSWORD);
  const customer = await makeUser(db, 'customer');
  const priorities = ['low', 'normal', 'high', 'urgent'] as const;
  const ids = await makeTickets(db, 120, (i) => ({ requesterId: customer.id, priority: priorities[i % 4]!,
    at: new Date(Date.parse('2026-01-01T00:00:00Z') + Math.floor(i / 3) * 1000).toISOString() }));
  for (const [sort, expected] of [
    ['id_asc', [...ids]],
    ['activity_asc', [...ids]],
    ['priority_asc', [...ids].sort((a, b) => (ids.indexOf(a) % 4) - (ids.indexOf(b) % 4) || a - b)],
  ] as const) {
    const seen: number[] = [];
    let url: string | null = `/agent/tickets?view=all&sort=${sort}`;
    while (url) {
      const page = await agent.page(url);
      seen.push(...ticketIdsIn(page));
      const next = /<p class="pager"><a href="\?([^"]+)"/.exec(page)?.[1];
      url = next ? `/agent/tickets?${next.replace(/&amp;/g, '&')}` : null;
    }
    t.same(seen, expected, `${sort}: every ticket exactly once, in order`);
  }
});

t.test('unread tickets carry a dot with its label; the filters fold into one row and "More filters"', async (t) => {
  const d = await desk(t);
  const id = d.ids[0]!;
  const row = (html: string) => new RegExp(`<tr class="[^"]*">\\s*<td><input type="checkbox" name="ids" value="${id}"[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';
  t.match(row(await d.client.page('/agent/tickets')), '<span class="unread-dot" role="img" aria-label="New activity" title="New activity"></span>',
    'never opened: a dot, named for screen readers');
  await d.client.get(`/agent/tickets/${id}`);
  t.notMatch(row(await d.client.page('/agent/tickets')), 'unread-dot', 'opened: no dot');

  const page = await d.client.page('/agent/tickets?view=all');
  const form = /<form class="filters"[\s\S]*?<\/form>/.exec(page)?.[0] ?? '';
  const beforeMore = form.split('<details class="more-filters"')[0]!;
  t.same([...beforeMore.matchAll(/<select id="filter-(\w+)"/g)].map((m) => m[1]), ['status', 'assignee', 'type', 'priority'], 'one row of the filters used most');
  const more = /<details class="more-filters">[\s\S]*?<\/details>/.exec(form)?.[0] ?? '';
  t.same([...more.matchAll(/<select id="filter-(\w+)"/g)].map((m) => m[1]), ['group', 'brand', 'org', 'sort'], 'the rest behind "More filters"');
  t.match(more, '<summary>More filters</summary>');
  t.match(await d.client.page(`/agent/tickets?view=all&group=${d.billing.id}`), /<summary>More filters <span class="count">\(1\)<\/span><\/summary>/,
    'it says how many of its filters are in use');

  const table = /<div id="ticket-table">[\s\S]*/.exec(page)?.[0] ?? '';
  t.ok(table.indexOf('</table>') < table.indexOf('<fieldset class="bulk-actions">'), 'the bulk actions come after the table (without JS they stay there)');
  t.match(table, /<p class="bulk-count" aria-live="polite" data-selected-count data-one="# selected" data-other="# selected"><\/p>/);
});

/** The list settings form as a browser sends it (a `column-<name>=1` per ticked box). */
function post(client: Client, body: URLSearchParams) {
  return client.app.inject({
    method: 'POST', url: '/agent/tickets/settings', payload: body.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
  }).then((res) => {
    for (const cookie of res.cookies as { name: string; value: string }[]) client.cookies.set(cookie.name, cookie.value);
    return res;
  });
}
