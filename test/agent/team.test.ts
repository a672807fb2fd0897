import t, { type Test } from 'tap';
import { nowIso } from '../../src/lib/time.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

/** Sam supervises Field team; Night team exists too, without Sam. */
async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const { db } = desk;
  const sam = await makeUser(db, 'supervisor', { name: 'Sam Supervisor' });
  const alex = await makeUser(db, 'agent', { name: 'Alex Agent' });
  const blair = await makeUser(db, 'agent', { name: 'Blair Agent' });
  const field = await db.insertInto('groups').values({ name: 'Field team', description: 'On-site work', created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  const night = await db.insertInto('groups').values({ name: 'Night team', created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('group_members').values([{ group_id: field.id, user_id: sam.id }, { group_id: field.id, user_id: alex.id },
    { group_id: night.id, user_id: blair.id }]).execute();
  const client = new Client(desk.app);
  await client.login(sam.email, PASSWORD);
  return { ...desk, client, sam, alex, blair, field: field.id, night: night.id };
}

const members = (d: Awaited<ReturnType<typeof setup>>, groupId: number) =>
  d.db.selectFrom('group_members').select('user_id').where('group_id', '=', groupId).orderBy('user_id').execute()
    .then((rows) => rows.map((r) => r.user_id));

t.test('a supervisor sees the groups they belong to, with members, from the Team link', async (t) => {
  const d = await setup(t);
  const page = await d.client.get('/agent/team');
  t.equal(page.statusCode, 200);
  t.match(page.body, '<a href="/agent/team" aria-current="page">Team</a>');
  t.match(page.body, `<h2 id="team-${d.field}">Field team</h2>`);
  t.match(page.body, '<p>On-site work</p>');
  t.match(page.body, /<td>Alex Agent<\/td>[\s\S]*<td>Agent<\/td>/);
  t.notMatch(page.body, 'Night team', 'not a group of theirs');
  t.match(page.body, `<option value="${d.blair.id}">Blair Agent`, 'Blair can be added');
  t.notMatch(page.body, 'isRestricted', 'no restricted toggle here');
  t.notMatch(page.body, 'action="/admin/groups', 'no group creation here');
});

t.test('a supervisor adds and removes agents in their group; each change is audited', async (t) => {
  const d = await setup(t);
  await d.client.get('/agent/team');
  const added = await d.client.post(`/agent/team/${d.field}/members`, { userId: String(d.blair.id) });
  t.equal(added.statusCode, 303);
  t.equal(added.headers.location, '/agent/team');
  const page = await d.client.get('/agent/team');
  t.match(page.body, 'The member is added.');
  t.match(page.body, `<tr id="member-${d.field}-${d.blair.id}">`);
  t.same(await members(d, d.field), [d.sam.id, d.alex.id, d.blair.id]);

  t.equal((await d.client.post(`/agent/team/${d.field}/members/${d.alex.id}/delete`)).statusCode, 303);
  t.same(await members(d, d.field), [d.sam.id, d.blair.id]);
  t.match((await d.client.get('/agent/team')).body, 'The member is removed.');

  const audit = await d.db.selectFrom('audit_log').select(['actor_id', 'action', 'subject_id', 'details']).orderBy('id').execute();
  t.same(audit.map((a) => [a.actor_id, a.action, a.subject_id]), [[d.sam.id, 'group.member_added', d.field], [d.sam.id, 'group.member_removed', d.field]]);
  t.same(JSON.parse(audit[1]!.details).before, { member: d.alex.email });

  const customer = await makeUser(d.db, 'customer');
  const refused = await d.client.post(`/agent/team/${d.field}/members`, { userId: String(customer.id) });
  t.equal(refused.statusCode, 422, 'customers cannot join');
  t.match(refused.body, /class="error" id="add-member-\d+-error">Only staff/);
});

t.test('a supervisor cannot change a group they are not in, nor anything admin-only', async (t) => {
  const d = await setup(t);
  await d.client.get('/agent/team');
  t.equal((await d.client.post(`/agent/team/${d.night}/members`, { userId: String(d.alex.id) })).statusCode, 404);
  t.equal((await d.client.post(`/agent/team/${d.night}/members/${d.blair.id}/delete`)).statusCode, 404);
  t.equal((await d.client.post('/agent/team/9999/members', { userId: String(d.alex.id) })).statusCode, 404);
  t.same(await members(d, d.night), [d.blair.id], 'Night team unchanged');
  t.equal((await d.client.post('/admin/groups', { name: 'Mine now' })).statusCode, 403, 'no creating groups');
  t.equal((await d.client.post(`/admin/groups/${d.field}`, { name: 'Field team', isRestricted: '1' })).statusCode, 403, 'no restricting');
  t.equal((await d.db.selectFrom('groups').select('is_restricted').where('id', '=', d.field).executeTakeFirstOrThrow()).is_restricted, 0);
});

t.test('agents and customers do not reach the team page; admins do', async (t) => {
  const d = await setup(t);
  for (const user of [d.alex, await makeUser(d.db, 'customer')]) {
    const client = new Client(d.app);
    await client.login(user.email, PASSWORD);
    const page = await client.get('/agent/team');
    t.equal(page.statusCode, 403);
    t.notMatch(page.body, 'href="/agent/team"', 'no Team link');
    t.equal((await client.post(`/agent/team/${d.field}/members`, { userId: String(d.blair.id) })).statusCode, 403);
  }
  t.same(await members(d, d.field), [d.sam.id, d.alex.id]);

  const admin = await makeUser(d.db, 'admin');
  await d.db.insertInto('group_members').values({ group_id: d.night, user_id: admin.id }).execute();
  const client = new Client(d.app);
  await client.login(admin.email, PASSWORD);
  const page = await client.get('/agent/team');
  t.equal(page.statusCode, 200);
  t.match(page.body, 'Night team');
  t.equal((await client.post(`/agent/team/${d.field}/members`, { userId: String(d.blair.id) })).statusCode, 303, 'admins manage any group');
});
