import t, { type Test } from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';
import { localTimeToIso } from '../../src/video/video.js';

async function setup(t: Test, env: Record<string, string> = {}) {
  const desk = await buildTestDesk(t, {}, env);
  const agent = await makeUser(desk.db, 'agent', { name: 'Robin Agent' });
  const customer = await makeUser(desk.db, 'customer', { name: 'Cora' });
  const [id] = await makeTickets(desk.db, 1, { requesterId: customer.id, subject: 'Broken VPN' });
  const client = new Client(desk.app);
  await client.login(agent.email, PASSWORD);
  return { ...desk, agent, customer, id: id!, client };
}

const sessions = (d: { db: Awaited<ReturnType<typeof buildTestDesk>>['db'] }, id: number) =>
  d.db.selectFrom('video_sessions').selectAll().where('ticket_id', '=', id).orderBy('id').execute();

t.test('creating a session stores it, posts a public update with the link, and the customer sees both', async (t) => {
  const d = await setup(t);
  const { client, id, db } = d;
  const tab = await client.get(`/agent/tickets/${id}?tab=videos`);
  t.equal(tab.statusCode, 200);
  t.match(tab.body, `href="/agent/tickets/${id}?tab=videos" hx-get="/agent/tickets/${id}?tab=videos" hx-target="#ticket-main" hx-select="#ticket-main"`);
  t.match(tab.body, 'Video Sessions');
  t.match(tab.body, 'No video sessions yet.');
  t.match(tab.body, `action="/agent/tickets/${id}/videos"`);

  const created = await client.post(`/agent/tickets/${id}/videos`, { title: 'Remote diagnosis', startsAt: '2026-03-02T14:30' });
  t.equal(created.statusCode, 303);
  t.equal(created.headers.location, `/agent/tickets/${id}?tab=videos`);
  await client.post(`/agent/tickets/${id}/videos`, { title: 'Follow-up call', startsAt: '' });

  const rows = await sessions(d, id);
  t.equal(rows.length, 2);
  const [first, second] = rows as [typeof rows[0], typeof rows[0]];
  t.equal(first.title, 'Remote diagnosis');
  t.equal(first.created_by_id, d.agent.id);
  t.equal(first.starts_at, '2026-03-02T14:30:00.000Z', 'no time zone on the profile: UTC');
  t.equal(second.starts_at, null);
  for (const row of rows) {
    t.ok(row.url.startsWith('https://meet.jit.si/deskbell-'), row.url);
    t.ok(row.url.slice('https://meet.jit.si/'.length).length >= 20, 'a long room name');
  }
  t.not(first.url, second.url, 'every session gets its own room');

  const list = await client.get(`/agent/tickets/${id}?tab=videos`);
  t.ok(list.body.indexOf('Follow-up call') < list.body.indexOf('Remote diagnosis'), 'newest first');
  t.match(list.body, `href="${first.url}"`);

  const updates = await client.get(`/agent/tickets/${id}?tab=updates`);
  t.match(updates.body, 'Remote diagnosis');
  t.match(updates.body, `href="${first.url}"`);
  const messages = await db.selectFrom('messages').select(['kind', 'body_text']).where('ticket_id', '=', id).execute();
  t.same(messages.map((m) => m.kind), ['update', 'update']);
  const events = await db.selectFrom('ticket_events').select(['kind', 'to_value']).where('ticket_id', '=', id).where('kind', '=', 'video').execute();
  t.same(events.map((e) => e.to_value), ['Remote diagnosis', 'Follow-up call']);
  const history = await client.get(`/agent/tickets/${id}?tab=history`);
  t.match(history.body, /<td>Video session<\/td>\s*<td><\/td>\s*<td>Remote diagnosis<\/td>/);

  const portal = new Client(d.app);
  await portal.login(d.customer.email, PASSWORD);
  const page = await portal.get(`/portal/tickets/${id}`);
  t.equal(page.statusCode, 200);
  t.match(page.body, 'Video sessions');
  t.match(page.body, 'Follow-up call');
  t.match(page.body, `href="${first.url}"`);
  t.match(page.body, `href="${second.url}"`);
  t.match(page.body, 'Join the meeting', 'the public update is in the conversation');
});

t.test('the start time is read in the agent\'s time zone', async (t) => {
  const d = await setup(t);
  await d.db.updateTable('users').set({ time_zone: 'Europe/Berlin' }).where('id', '=', d.agent.id).execute();
  const client = new Client(d.app);
  await client.login(d.agent.email, PASSWORD);
  await client.get(`/agent/tickets/${d.id}?tab=videos`);
  t.equal((await client.post(`/agent/tickets/${d.id}/videos`, { title: 'Call', startsAt: '2026-07-01T10:00' })).statusCode, 303);
  t.equal((await sessions(d, d.id))[0]!.starts_at, '2026-07-01T08:00:00.000Z');
  t.equal(localTimeToIso('2026-01-15T10:00', 'Europe/Berlin'), '2026-01-15T09:00:00.000Z');
  t.equal(localTimeToIso('2026-02-30T10:00', null), null);
  t.equal(localTimeToIso('tomorrow', null), null);
});

t.test('VIDEO_BASE_URL sets where the rooms live', async (t) => {
  const d = await setup(t, { VIDEO_BASE_URL: 'https://video.example.test/' });
  await d.client.get(`/agent/tickets/${d.id}?tab=videos`);
  await d.client.post(`/agent/tickets/${d.id}/videos`, { title: 'Call' });
  const [row] = await sessions(d, d.id);
  t.ok(row!.url.startsWith('https://video.example.test/deskbell-'), row!.url);
});

t.test('an empty title or a bad time is refused with the errors and the values kept', async (t) => {
  const d = await setup(t);
  await d.client.get(`/agent/tickets/${d.id}?tab=videos`);
  const res = await d.client.post(`/agent/tickets/${d.id}/videos`, { title: '  ', startsAt: '2026-03-02T14:30' });
  t.equal(res.statusCode, 422);
  t.match(res.body, 'This field is required.');
  t.match(res.body, 'value="2026-03-02T14:30"');
  t.match(res.body, 'aria-current="page">Video Sessions');
  const bad = await d.client.post(`/agent/tickets/${d.id}/videos`, { title: 'Call', startsAt: 'soon' });
  t.equal(bad.statusCode, 422);
  t.match(bad.body, 'Enter a valid date and time.');
  t.match(bad.body, 'value="Call"');
  t.equal((await sessions(d, d.id)).length, 0);
  t.equal((await d.db.selectFrom('messages').select('id').execute()).length, 0);
});

t.test('customers cannot create sessions, other customers do not see them, out-of-scope tickets answer 404', async (t) => {
  const d = await setup(t);
  await d.client.get(`/agent/tickets/${d.id}?tab=videos`);
  await d.client.post(`/agent/tickets/${d.id}/videos`, { title: 'Private call' });

  const customer = new Client(d.app);
  await customer.login(d.customer.email, PASSWORD);
  await customer.get(`/portal/tickets/${d.id}`);
  t.equal((await customer.post(`/agent/tickets/${d.id}/videos`, { title: 'Mine' })).statusCode, 403);

  const other = await makeUser(d.db, 'customer', { name: 'Otto' });
  const stranger = new Client(d.app);
  await stranger.login(other.email, PASSWORD);
  const page = await stranger.get(`/portal/tickets/${d.id}`);
  t.equal(page.statusCode, 404);
  t.notMatch(page.body, 'Private call');

  // An agent only in a restricted group sees only that group's tickets.
  const group = await d.db.insertInto('groups').values({ name: 'Provider', is_restricted: 1, created_at: '2026-01-01T00:00:00Z' })
    .returning('id').executeTakeFirstOrThrow();
  const provider = await makeUser(d.db, 'agent', { name: 'Pat Provider' });
  await d.db.insertInto('group_members').values({ group_id: group.id, user_id: provider.id }).execute();
  const outsider = new Client(d.app);
  await outsider.login(provider.email, PASSWORD);
  t.equal((await outsider.get(`/agent/tickets/${d.id}?tab=videos`)).statusCode, 404);
  t.equal((await outsider.post(`/agent/tickets/${d.id}/videos`, { title: 'Sneaky' })).statusCode, 404);
  t.equal((await d.client.post('/agent/tickets/424242/videos', { title: 'Nowhere' })).statusCode, 404);
  t.equal((await sessions(d, d.id)).length, 1);
});
