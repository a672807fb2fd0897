// The tags admin page (issue 20): every tag with its ticket count, new tags on the managed list,
// rename and merge, each ticket's history told; admins only.
import t, { type Test } from 'tap';
import type { Db } from '../../src/db/connect.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';

async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const admin = await makeUser(desk.db, 'admin', { name: 'Ada Admin' });
  const agent = await makeUser(desk.db, 'agent', { name: 'Robin Agent' });
  const customer = await makeUser(desk.db, 'customer', { name: 'Cora Customer' });
  const ids = await makeTickets(desk.db, 3, { requesterId: customer.id });
  const client = new Client(desk.app);
  await client.login(admin.email, PASSWORD);
  await client.page('/admin/tags');
  return { ...desk, admin, agent, customer, ids: ids as number[], client };
}

async function tag(db: Db, name: string, ...ticketIds: number[]): Promise<number> {
  await db.insertInto('tags').values({ name }).onConflict((oc) => oc.column('name').doNothing()).execute();
  const { id } = await db.selectFrom('tags').select('id').where('name', '=', name).executeTakeFirstOrThrow();
  if (ticketIds.length) await db.insertInto('ticket_tags').values(ticketIds.map((ticket_id) => ({ ticket_id, tag_id: id }))).execute();
  return id;
}

const tagsOf = async (db: Db, id: number) => (await db.selectFrom('ticket_tags').innerJoin('tags', 'tags.id', 'ticket_tags.tag_id')
  .select('tags.name').where('ticket_id', '=', id).orderBy('tags.name').execute()).map((r) => r.name);

/** The page's table as "name count" pairs, in order. */
const counts = (html: string) => [...html.matchAll(/<tr id="tag-\d+">\s*<td><a [^>]*>([^<]+)<\/a><\/td>\s*<td class="count">(\d+)<\/td>/g)].map((m) => `${m[1]} ${m[2]}`);

t.test('the page lists tags with their ticket counts; an admin adds one to the list (normalised, no duplicate)', async (t) => {
  const { db, client, ids } = await setup(t);
  const [a, b] = ids as [number, number];
  await tag(db, 'billing', a, b);
  await tag(db, 'vip', a);
  t.same(counts(await client.page('/admin/tags')), ['billing 2', 'vip 1']);
  t.match(await client.page('/admin'), '<a href="/admin/tags"><strong>Tags</strong></a>', 'the admin index links to it');
  t.equal((await client.post('/admin/tags', { name: ' Hardware ' })).statusCode, 303);
  t.same(counts(await client.page('/admin/tags')), ['billing 2', 'hardware 0', 'vip 1']);
  const again = await client.post('/admin/tags', { name: 'HARDWARE' });
  t.equal(again.statusCode, 422);
  t.match(again.body, 'There is already a tag with this name.');
  t.match(again.body, 'value="HARDWARE"', 'the name as typed kept');
  const long = await client.post('/admin/tags', { name: 'x'.repeat(41) });
  t.equal(long.statusCode, 422);
  t.match(long.body, 'A tag has at most 40 characters.');
});

t.test('rename: every ticket carries the new name, each with a history line; a name in use is refused (merge instead)', async (t) => {
  const { db, client, ids } = await setup(t);
  const [a, b] = ids as [number, number];
  const billing = await tag(db, 'billing', a, b);
  await tag(db, 'invoices');
  const renamed = await client.post(`/admin/tags/${billing}/rename`, { name: 'Payments' });
  t.equal(renamed.statusCode, 303);
  t.same(await tagsOf(db, a), ['payments']);
  t.same(await tagsOf(db, b), ['payments']);
  const lines = await db.selectFrom('ticket_events').select(['ticket_id', 'kind', 'from_value', 'to_value']).where('kind', '=', 'tag_renamed').orderBy('ticket_id').execute();
  t.same(lines, [
    { ticket_id: a, kind: 'tag_renamed', from_value: 'billing', to_value: 'payments' },
    { ticket_id: b, kind: 'tag_renamed', from_value: 'billing', to_value: 'payments' },
  ]);
  t.equal((await db.selectFrom('events').select('id').where('kind', '=', 'ticket.changed').execute()).length, 2, 'and an event each');
  const taken = await client.post(`/admin/tags/${billing}/rename`, { name: 'invoices' });
  t.equal(taken.statusCode, 422);
  t.match(taken.body, 'There is already a tag with this name: merge the two instead.');
  t.same(await tagsOf(db, a), ['payments'], 'nothing changed');
  t.equal((await db.selectFrom('audit_log').select('id').where('action', '=', 'tag.renamed').execute()).length, 1, 'audited');
});

t.test('merge: the tag\'s tickets carry the other one instead (once), the tag goes, and the counts say so', async (t) => {
  const { db, client, ids } = await setup(t);
  const [a, b, c] = ids as [number, number, number];
  const bill = await tag(db, 'bill', a, b);
  await tag(db, 'billing', b, c);
  const merged = await client.post(`/admin/tags/${bill}/merge`, { into: 'Billing' });
  t.equal(merged.statusCode, 303);
  const page = await client.page('/admin/tags');
  t.same(counts(page), ['billing 3'], 'one tag left, on all three tickets');
  t.match(page, 'Tags merged: 2 tickets moved.');
  t.same(await tagsOf(db, b), ['billing'], 'the ticket that had both has it once');
  const lines = await db.selectFrom('ticket_events').select(['ticket_id', 'kind', 'from_value', 'to_value']).where('kind', 'like', 'tag%').orderBy('id').execute();
  t.same(lines, [
    { ticket_id: a, kind: 'tag_added', from_value: null, to_value: 'billing' },
    { ticket_id: a, kind: 'tag_removed', from_value: 'bill', to_value: null },
    { ticket_id: b, kind: 'tag_removed', from_value: 'bill', to_value: null },
  ]);
  const billing = (await db.selectFrom('tags').select('id').where('name', '=', 'billing').executeTakeFirstOrThrow()).id;
  const unknown = await client.post(`/admin/tags/${billing}/merge`, { into: 'nosuch' });
  t.equal(unknown.statusCode, 422);
  t.match(unknown.body, 'There is no tag with this name.');
  t.match(unknown.body, 'value="nosuch"');
  t.equal((await client.post(`/admin/tags/${billing}/merge`, { into: 'billing' })).statusCode, 422, 'not into itself');
  t.equal((await client.post('/admin/tags/99999/merge', { into: 'billing' })).statusCode, 404);
});

t.test('only admins: agents and customers are refused, and nothing changes without the CSRF token', async (t) => {
  const { db, client, agent, customer, app, ids } = await setup(t);
  const billing = await tag(db, 'billing', ids[0]!);
  for (const [role, person] of [['agent', agent], ['customer', customer]] as const) {
    const other = new Client(app);
    await other.login(person.email, PASSWORD);
    t.equal((await other.get('/admin/tags')).statusCode, 403, `${role}: the page`);
    t.equal((await other.post(`/admin/tags/${billing}/rename`, { name: 'x' })).statusCode, 403, `${role}: rename`);
  }
  t.equal((await client.post(`/admin/tags/${billing}/rename`, { name: 'x', _csrf: '' })).statusCode, 403);
  t.same(await tagsOf(db, ids[0]!), ['billing']);
});
