import t, { type Test } from 'tap';
import type { Db } from '../../src/db/connect.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD, ticketIdsIn } from '../helpers/factories.js';

async function asAdmin(t: Test) {
  const desk = await buildTestDesk(t);
  const admin = await makeUser(desk.db, 'admin', { name: 'Ada Admin' });
  const client = new Client(desk.app);
  await client.login(admin.email, PASSWORD);
  return { ...desk, admin, client };
}

const groupNamed = (db: Db, name: string) =>
  db.selectFrom('groups').selectAll().where('name', '=', name).executeTakeFirstOrThrow();

async function audits(db: Db, action: string) {
  const rows = await db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();
  return rows.map((r) => ({ actor: r.actor_id, subject: r.subject_id, details: JSON.parse(r.details) as Record<string, unknown> }));
}

t.test('an admin creates a restricted provider group, sees it listed with its member count, and edits it', async (t) => {
  const { db, client, admin } = await asAdmin(t);
  await client.get('/admin/groups/new');
  const created = await client.post('/admin/groups', { name: 'Fibre Co', description: 'External fibre installer', isRestricted: '1' });
  t.equal(created.statusCode, 303);
  const group = await groupNamed(db, 'Fibre Co');
  t.equal(created.headers.location, `/admin/groups/${group.id}`);
  t.equal(group.is_restricted, 1);
  t.same(await audits(db, 'group.created'), [{ actor: admin.id, subject: group.id,
    details: { after: { name: 'Fibre Co', description: 'External fibre installer', is_restricted: 1 } } }]);

  const list = await client.get('/admin/groups');
  t.equal(list.statusCode, 200);
  const row = list.body.split('<tr id=').find((r) => r.startsWith(`"group-${group.id}"`)) ?? '';
  t.match(row, '>Fibre Co</a>');
  t.match(row, '<td>0</td>', 'no members yet');
  t.match(row, 'Restricted: sees only its tickets');
  t.match(list.body, '<a href="/admin/groups" aria-current="page">', 'the admin menu marks Groups');

  const page = await client.get(`/admin/groups/${group.id}`);
  t.match(page.body, /<input id="f-isRestricted" name="isRestricted" type="checkbox" value="1" checked/);
  const saved = await client.post(`/admin/groups/${group.id}`, { name: 'Fibre Company', description: 'External fibre installer' });
  t.equal(saved.statusCode, 303);
  t.match((await client.get(saved.headers.location as string)).body, 'The group is saved.');
  const after = await groupNamed(db, 'Fibre Company');
  t.equal(after.is_restricted, 0, 'unticking restricted opens the group up');
  t.same((await audits(db, 'group.updated'))[0]!.details,
    { before: { name: 'Fibre Co', is_restricted: 1 }, after: { name: 'Fibre Company', is_restricted: 0 } });
});

t.test('a group needs a unique name: 422 with the values kept', async (t) => {
  const { db, client } = await asAdmin(t);
  await client.get('/admin/groups/new');
  const empty = await client.post('/admin/groups', { name: '  ', description: 'Kept text', isRestricted: '1' });
  t.equal(empty.statusCode, 422);
  t.match(empty.body, 'id="f-name-error">This field is required.');
  t.match(empty.body, '>Kept text</textarea>');
  t.match(empty.body, /name="isRestricted" type="checkbox" value="1" checked/);

  const taken = await client.post('/admin/groups', { name: 'support' });
  t.equal(taken.statusCode, 422, 'the seeded "Support" group, whatever the case');
  t.match(taken.body, 'Another group already has this name.');
  t.match(taken.body, 'value="support"');
  t.equal((await db.selectFrom('groups').select('id').execute()).length, 1, 'nothing was created');
});

t.test('members: staff are added and removed, customers cannot join, each change is audited', async (t) => {
  const { db, client, admin } = await asAdmin(t);
  const group = await groupNamed(db, 'Support');
  const agent = await makeUser(db, 'agent', { name: 'Alex Agent' });
  const customer = await makeUser(db, 'customer', { name: 'Cora Customer' });

  const page = await client.get(`/admin/groups/${group.id}`);
  t.equal(page.statusCode, 200);
  t.match(page.body, `<option value="${agent.id}">Alex Agent &lt;${agent.email}&gt;</option>`);
  t.notMatch(page.body, 'Cora Customer', 'customers are not offered');
  const added = await client.post(`/admin/groups/${group.id}/members`, { userId: String(agent.id) });
  t.equal(added.statusCode, 303);
  const withMember = await client.get(`/admin/groups/${group.id}`);
  t.match(withMember.body, 'The member is added.');
  t.match(withMember.body, new RegExp(`<tr id="member-${group.id}-${agent.id}">\\s*<td>Alex Agent</td>`));
  t.match((await client.get('/admin/groups')).body, />Support<\/a><\/td>\s*<td><\/td>\s*<td>1<\/td>/);

  const refused = await client.post(`/admin/groups/${group.id}/members`, { userId: String(customer.id) });
  t.equal(refused.statusCode, 422);
  t.match(refused.body, 'Only staff (admins, supervisors, agents) who are not disabled can join a group.');

  const removed = await client.post(`/admin/groups/${group.id}/members/${agent.id}/delete`);
  t.equal(removed.statusCode, 303);
  t.same(await db.selectFrom('group_members').selectAll().execute(), []);
  t.equal((await client.post(`/admin/groups/${group.id}/members/${agent.id}/delete`)).statusCode, 404, 'not a member any more');

  t.same(await audits(db, 'group.member_added'), [{ actor: admin.id, subject: group.id,
    details: { group: 'Support', userId: agent.id, before: { member: null }, after: { member: agent.email } } }]);
  t.same((await audits(db, 'group.member_removed')).map((a) => a.details.before), [{ member: agent.email }]);
});

t.test('an agent only in a restricted group sees only that group\'s tickets; another group keeps them seeing all', async (t) => {
  const { db, app, client } = await asAdmin(t);
  const requester = await makeUser(db, 'customer');
  const provider = await makeUser(db, 'agent', { name: 'Pat Provider' });
  await client.get('/admin/groups/new');
  await client.post('/admin/groups', { name: 'Fibre Co', isRestricted: '1' });
  const fibre = await groupNamed(db, 'Fibre Co');
  const support = await groupNamed(db, 'Support');
  const [theirs, other, none] = await makeTickets(db, 3, (i) => ({
    subject: ['Fibre cut', 'Billing question', 'No group'][i], requesterId: requester.id, groupId: [fibre.id, support.id, null][i],
  }));
  await client.get(`/admin/groups/${fibre.id}`);
  await client.post(`/admin/groups/${fibre.id}/members`, { userId: String(provider.id) });

  const agent = new Client(app);
  await agent.login(provider.email, PASSWORD);
  const list = await agent.get('/agent/tickets?view=all');
  t.equal(list.statusCode, 200);
  t.same(ticketIdsIn(list.body), [theirs], 'only the restricted group\'s ticket');
  t.notMatch(list.body, 'Billing question');
  t.equal((await agent.get(`/agent/tickets/${other}`)).statusCode, 404);

  await client.get(`/admin/groups/${support.id}`);
  await client.post(`/admin/groups/${support.id}/members`, { userId: String(provider.id) });
  t.same(ticketIdsIn((await agent.get('/agent/tickets?view=all')).body).sort(), [theirs, other, none].sort(), 'also in an open group: everything');
});

t.test('deleting a group keeps its tickets (without a group); the default group cannot be deleted', async (t) => {
  const { db, client, admin } = await asAdmin(t);
  const requester = await makeUser(db, 'customer');
  await client.get('/admin/groups/new');
  await client.post('/admin/groups', { name: 'Night shift' });
  const night = await groupNamed(db, 'Night shift');
  const [ticket] = await makeTickets(db, 1, { requesterId: requester.id, groupId: night.id });

  const confirm = await client.get(`/admin/groups/${night.id}/delete`);
  t.equal(confirm.statusCode, 200);
  t.match(confirm.body, 'Delete the group Night shift?');
  t.match(confirm.body, 'Tickets in this group: 1. They are kept and lose their group');
  const deleted = await client.post(`/admin/groups/${night.id}/delete`);
  t.equal(deleted.statusCode, 303);
  t.equal(deleted.headers.location, '/admin/groups');
  t.match((await client.get('/admin/groups')).body, 'The group is deleted.');
  t.same(await db.selectFrom('tickets').select(['id', 'group_id']).where('id', '=', ticket!).execute(), [{ id: ticket, group_id: null }]);
  t.same((await audits(db, 'group.deleted')).map((a) => [a.actor, a.subject, a.details.tickets]), [[admin.id, night.id, 1]]);

  const support = await groupNamed(db, 'Support');
  await client.get(`/admin/groups/${support.id}/delete`);
  const refused = await client.post(`/admin/groups/${support.id}/delete`);
  t.equal(refused.statusCode, 409);
  t.match(refused.body, 'This is the desk&#39;s default group');
  t.ok(await groupNamed(db, 'Support'), 'still there');
});

t.test('only admins reach /admin/groups', async (t) => {
  const { db, app } = await asAdmin(t);
  const group = await groupNamed(db, 'Support');
  for (const role of ['supervisor', 'agent', 'customer'] as const) {
    const other = new Client(app);
    await other.login((await makeUser(db, role)).email, PASSWORD);
    t.equal((await other.get('/admin/groups')).statusCode, 403, `${role}: list`);
    t.equal((await other.post('/admin/groups', { name: 'Sneaky' })).statusCode, 403, `${role}: create`);
    t.equal((await other.post(`/admin/groups/${group.id}`, { name: 'Renamed', isRestricted: '1' })).statusCode, 403, `${role}: edit`);
  }
  t.same((await db.selectFrom('groups').select(['name', 'is_restricted']).execute()), [{ name: 'Support', is_restricted: 0 }]);
});
