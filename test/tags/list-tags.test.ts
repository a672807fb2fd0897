// Tags in the agent's list (issue 20): shown on each row, a `tag=` filter (several: all must match),
// bulk add and remove with a history line per ticket, and the search term `tag:`.
import t, { type Test } from 'tap';
import type { Db } from '../../src/db/connect.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD, ticketIdsIn } from '../helpers/factories.js';

async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const agent = await makeUser(desk.db, 'agent', { name: 'Robin Agent' });
  const customer = await makeUser(desk.db, 'customer', { name: 'Cora Customer' });
  const ids = await makeTickets(desk.db, 4, (i) => ({ requesterId: customer.id, subject: `Router case ${i}` }));
  const staff = new Client(desk.app);
  await staff.login(agent.email, PASSWORD);
  await staff.page('/agent/tickets?view=all');
  return { ...desk, agent, customer, ids: ids as number[], staff };
}

/** Tag tickets directly (the fixture; the routes under test go through the kernel). */
async function tag(db: Db, name: string, ...ticketIds: number[]) {
  await db.insertInto('tags').values({ name }).onConflict((oc) => oc.column('name').doNothing()).execute();
  const { id } = await db.selectFrom('tags').select('id').where('name', '=', name).executeTakeFirstOrThrow();
  await db.insertInto('ticket_tags').values(ticketIds.map((ticket_id) => ({ ticket_id, tag_id: id }))).execute();
}

const sorted = (ids: number[]) => [...new Set(ids)].sort((a, b) => a - b);

t.test('the list shows each row\'s tags and filters by one tag or by several (all of them)', async (t) => {
  const { db, staff, ids } = await setup(t);
  const [a, b, c] = ids as [number, number, number, number];
  await tag(db, 'billing', a, b);
  await tag(db, 'refund', b, c);
  const all = await staff.page('/agent/tickets?view=all');
  t.match(all, /Router case 1<\/a>[\s\S]*?<span class="row-tags">[\s\S]*?<a class="tag" href="\/agent\/tickets\?tag=billing">billing<\/a> <a class="tag" href="\/agent\/tickets\?tag=refund">refund<\/a>/,
    'a row lists its tags');
  t.same(sorted(ticketIdsIn(await staff.page('/agent/tickets?view=all&tag=billing'))), [a, b]);
  t.same(sorted(ticketIdsIn(await staff.page('/agent/tickets?view=all&tag=billing&tag=refund'))), [b], 'two tags: tickets with both');
  const typed = await staff.page('/agent/tickets?view=all&tag=Billing+REFUND');
  t.same(sorted(ticketIdsIn(typed)), [b], 'the filter form\'s one field, several tags, any case');
  t.match(typed, 'name="tag" type="text" list="filter-tag-options" autocomplete="off" maxlength="400" value="billing refund"', 'the field shows the filter');
  t.match(typed, 'tag=billing&amp;tag=refund', 'links keep both tags');
  t.same(ticketIdsIn(await staff.page('/agent/tickets?view=all&tag=nosuchtag')), [], 'an unknown tag: nothing');
  t.equal((await staff.get('/agent/tickets?view=all&tag=%3Cscript%3E')).statusCode, 400, 'a value no tag could have is refused');
});

t.test('bulk: a tag added to and another removed from the selected tickets, each with its history line', async (t) => {
  const { db, staff, ids } = await setup(t);
  const [a, b, c] = ids as [number, number, number, number];
  await tag(db, 'old', a, c);
  const done = await staff.post('/agent/tickets/bulk', { ids: String(a), back: 'view=all', tagAdd: ' Urgent-Fix ', tagRemove: 'old' });
  t.equal(done.statusCode, 303);
  const body = new URLSearchParams({ _csrf: staff.csrf, back: 'view=all', tagAdd: 'urgent-fix', tagRemove: 'old' });
  body.append('ids', String(b));
  body.append('ids', String(c));
  const second = await staff.app.inject({ method: 'POST', url: '/agent/tickets/bulk', payload: body.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...staff.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
  t.equal(second.statusCode, 303);
  t.same(sorted(ticketIdsIn(await staff.page('/agent/tickets?view=all&tag=urgent-fix'))), [a, b, c]);
  t.same(ticketIdsIn(await staff.page('/agent/tickets?view=all&tag=old')), [], '"old" is off every ticket');
  const lines = await db.selectFrom('ticket_events').select(['ticket_id', 'kind', 'from_value', 'to_value'])
    .where('kind', 'like', 'tag%').orderBy('id').execute();
  t.same(lines, [
    { ticket_id: a, kind: 'tag_added', from_value: null, to_value: 'urgent-fix' },
    { ticket_id: a, kind: 'tag_removed', from_value: 'old', to_value: null },
    { ticket_id: b, kind: 'tag_added', from_value: null, to_value: 'urgent-fix' },
    { ticket_id: c, kind: 'tag_added', from_value: null, to_value: 'urgent-fix' },
    { ticket_id: c, kind: 'tag_removed', from_value: 'old', to_value: null },
  ], 'a line per tag per ticket where it changed (b never had "old")');
});

t.test('bulk: a bad tag, or one off the managed list, changes nothing and keeps the choices', async (t) => {
  const { db, staff, ids } = await setup(t);
  const [a] = ids as [number];
  const bad = await staff.post('/agent/tickets/bulk', { ids: String(a), back: 'view=all', tagAdd: 'two words', priority: 'high' });
  t.equal(bad.statusCode, 422);
  t.match(bad.body, 'A tag is one word');
  t.match(bad.body, 'value="two words"', 'the typed tag kept');
  await db.insertInto('settings').values({ key: 'tags.managed', value: '1' }).execute();
  const unmanaged = await staff.post('/agent/tickets/bulk', { ids: String(a), back: 'view=all', tagAdd: 'invented', priority: 'high' });
  t.equal(unmanaged.statusCode, 422);
  t.match(unmanaged.body, 'Tags come from the managed list, and “invented” is not on it.');
  const row = await db.selectFrom('tickets').select('priority').where('id', '=', a).executeTakeFirstOrThrow();
  t.equal(row.priority, 'normal', 'the priority chosen with it was not applied either');
  t.same(await db.selectFrom('ticket_tags').selectAll().execute(), []);
});

t.test('search: tag:billing narrows to tagged tickets, with words or alone; an unknown tag says so', async (t) => {
  const { db, staff, ids } = await setup(t);
  const [a, b] = ids as [number, number, number, number];
  await tag(db, 'billing', a, b);
  await tag(db, 'refund', b);
  const results = async (q: string) => sorted([...(await staff.page(`/agent/search?q=${encodeURIComponent(q)}`)).matchAll(/<a href="\/agent\/tickets\/(\d+)">#/g)].map((m) => Number(m[1])));
  t.same(await results('tag:billing'), [a, b], 'alone');
  t.same(await results('router tag:Billing'), [a, b], 'with words, any case');
  t.same(await results('tag:billing tag:refund'), [b], 'two tags: both');
  t.same(await results('router'), sorted(ids), 'without it, every router ticket');
  const unknown = await staff.page(`/agent/search?q=${encodeURIComponent('router tag:nosuch')}`);
  t.match(unknown, 'There is no tag called “nosuch”.');
});

t.test('a common tag, checked per ticket along the sort, selects the same tickets as a rare one driving the page', async (t) => {
  const { db, agent, ids } = await setup(t);
  const [a, b, c] = ids as [number, number, number, number];
  await tag(db, 'billing', a, b);
  await tag(db, 'refund', b, c);
  const { listPageQuery, statusLookup } = await import('../../src/tickets/list.js');
  const { parseListQuery } = await import('../../src/tickets/list-filter.js');
  const { toActor } = await import('../../src/users/actor.js');
  const actor = toActor(await db.selectFrom('users').selectAll().where('id', '=', agent.id).executeTakeFirstOrThrow());
  const filter = parseListQuery({ view: 'all', tag: ['billing', 'refund'] });
  const lookup = await statusLookup(db);
  const page = async (commonTags: string[]) => (await listPageQuery(db, actor, { ...filter, commonTags }, null, lookup).execute()).map((r) => r.id);
  t.same(await page([]), [b], 'both driving');
  t.same(await page(['billing']), [b], 'one checked per ticket');
  t.same(await page(['billing', 'refund']), [b], 'both checked per ticket');
  const one = await listPageQuery(db, actor, { ...filter, tags: ['billing'], commonTags: ['billing'] }, null, await statusLookup(db)).execute();
  t.same(sorted(one.map((r) => r.id)), [a, b], 'one common tag alone');
});
