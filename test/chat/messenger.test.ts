// The messenger over HTTP: a customer and an agent write chat lines, with and without htmx; unread
// counts; who may write; closed tickets; no mail per line.
import t from 'tap';
import { notifyDesk } from '../notify/helpers.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';

const chatLines = (html: string) => [...html.matchAll(/<li class="chat-line[^"]*" id="chat-line-\d+">[\s\S]*?<div class="body">([\s\S]*?)<\/div>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, '').trim());

t.test('the customer writes without JavaScript; the agent sees it with an unread count, then no longer new', async (t) => {
  const { portal, staff, id, db } = await notifyDesk(t);
  let page = await portal.get(`/portal/tickets/${id}`);
  t.match(page.body, `<form class="chat-form" method="post" action="/portal/tickets/${id}/chat"`, 'the portal page has the chat form');
  t.match(page.body, 'No chat messages yet');
  const sent = await portal.post(`/portal/tickets/${id}/chat`, { body: 'Is anyone there?' });
  t.equal(sent.statusCode, 303);
  t.equal(sent.headers.location, `/portal/tickets/${id}`, 'back to the ticket');
  page = await portal.get(`/portal/tickets/${id}`);
  t.equal(page.statusCode, 200);
  t.same(chatLines(page.body), ['Is anyone there?'], 'the customer sees their line after the redirect');
  t.notMatch(page.body, 'chat-unread', 'their own line is not "new" to them');

  const row = await db.selectFrom('messages').selectAll().where('ticket_id', '=', id).where('kind', '=', 'chat').executeTakeFirstOrThrow();
  t.equal(row.body_text, 'Is anyone there?', 'stored as a chat message');

  await portal.post(`/portal/tickets/${id}/chat`, { body: 'Hello?' });
  let agentPage = await staff.get(`/agent/tickets/${id}`);
  t.same(chatLines(agentPage.body), ['Is anyone there?', 'Hello?'], 'the agent sees both lines in the messenger');
  t.match(agentPage.body, /<span class="badge chat-unread" id="chat-unread">2 new<\/span>/, 'marked as 2 new');
  agentPage = await staff.get(`/agent/tickets/${id}`);
  t.equal(agentPage.statusCode, 200);
  t.notMatch(agentPage.body, 'chat-unread', 'seen once, they are no longer new');
});

t.test('the agent writes with htmx (partial and select requests) and without; the customer sees the count', async (t) => {
  const { portal, staff, id, delivered } = await notifyDesk(t);
  await staff.get(`/agent/tickets/${id}`);
  const plain = await staff.post(`/agent/tickets/${id}/chat`, { body: 'Hi Cora, **Kim** here.', tab: 'internal' });
  t.equal(plain.statusCode, 303);
  t.equal(plain.headers.location, `/agent/tickets/${id}?tab=internal`, 'back to the tab the agent was on');
  // htmx with hx-select asks for the full page: a 303 it follows, then it picks #chat-panel out of it.
  const selected = await staff.post(`/agent/tickets/${id}/chat`, { body: 'One moment.' }, { 'HX-Request': 'true', 'HX-Request-Type': 'full' });
  t.equal(selected.statusCode, 303);
  const partial = await staff.post(`/agent/tickets/${id}/chat`, { body: 'Found it.' }, { 'HX-Request': 'true', 'HX-Request-Type': 'partial' });
  t.equal(partial.statusCode, 200);
  t.equal(partial.headers['hx-location'], `/agent/tickets/${id}`);

  const page = await portal.get(`/portal/tickets/${id}`);
  t.same(chatLines(page.body), ['Hi Cora, Kim here.', 'One moment.', 'Found it.'], 'the customer sees the three lines in order');
  t.match(page.body, '<strong>Kim</strong>', 'markdown is rendered');
  t.match(page.body, /id="chat-unread">3 new</, 'three new lines for the customer');
  t.same(await delivered(), [], 'no mail per chat line');
});

t.test('bad input re-renders the form with the message and the text kept; CSRF is required', async (t) => {
  const { portal, staff, id, db } = await notifyDesk(t);
  await portal.get(`/portal/tickets/${id}`);
  const empty = await portal.post(`/portal/tickets/${id}/chat`, { body: '   ' });
  t.equal(empty.statusCode, 422);
  t.match(empty.body, 'role="alert"');
  const long = 'x'.repeat(4001);
  const tooLong = await staff.post(`/agent/tickets/${id}/chat`, { body: long });
  t.equal(tooLong.statusCode, 422);
  t.match(tooLong.body, `>${long}</textarea>`, 'the agent\'s text is kept');
  const forged = await portal.post(`/portal/tickets/${id}/chat`, { body: 'sneaky', _csrf: 'wrong' });
  t.equal(forged.statusCode, 403, 'a wrong CSRF token is refused');
  const noToken = await portal.app.inject({ method: 'POST', url: `/portal/tickets/${id}/chat`, payload: 'body=sneaky',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...portal.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
  t.equal(noToken.statusCode, 403, 'no CSRF token is refused');
  t.equal((await db.selectFrom('messages').select('id').where('kind', '=', 'chat').execute()).length, 0, 'nothing was stored');
});

t.test('only people who can see the ticket may write or listen: others get 404', async (t) => {
  const { app, db, id, dan } = await notifyDesk(t);
  const stranger = await makeUser(db, 'customer', { name: 'Sam Stranger' });
  const client = new Client(app);
  await client.login(stranger.email, PASSWORD);
  t.equal((await client.post(`/portal/tickets/${id}/chat`, { body: 'hi' })).statusCode, 404, 'another customer cannot write');
  t.equal((await client.get(`/portal/tickets/${id}/live`)).statusCode, 404, 'nor listen');
  t.equal((await client.post(`/agent/tickets/${id}/chat`, { body: 'hi' })).statusCode, 403, 'the agent route is for staff');

  const cc = new Client(app);
  await cc.login(dan.email, PASSWORD);
  t.equal((await cc.post(`/portal/tickets/${id}/chat`, { body: 'Dan here' })).statusCode, 303, 'a CC\'d customer sees the ticket and may write');

  const agent = await makeUser(db, 'agent', { name: 'Ivy Agent' });
  const [internal] = await makeTickets(db, 1, { requesterId: stranger.id, visibility: 'internal' });
  const staff = new Client(app);
  await staff.login(agent.email, PASSWORD);
  const page = await staff.get(`/agent/tickets/${internal}`);
  t.equal(page.statusCode, 200);
  t.notMatch(page.body, 'chat-form', 'an internal ticket has no messenger');
  t.equal((await staff.post(`/agent/tickets/${internal}/chat`, { body: 'hi' })).statusCode, 404);
  t.equal((await staff.post(`/agent/tickets/${id}/presence`, {})).statusCode, 204, 'presence pings are for tickets one can see');
  t.equal((await staff.post(`/agent/tickets/999999/presence`, {})).statusCode, 404);
});

t.test('closed tickets keep their chat readable but take no new lines', async (t) => {
  const { portal, staff, id, db } = await notifyDesk(t);
  await staff.post(`/agent/tickets/${id}/chat`, { body: 'Before closing' });
  await db.updateTable('tickets').set({ status_id: 5 }).where('id', '=', id).execute();
  const page = await portal.get(`/portal/tickets/${id}`);
  t.equal(page.statusCode, 200);
  t.same(chatLines(page.body), ['Before closing']);
  t.notMatch(page.body, 'chat-form', 'no form');
  t.match(page.body, 'its chat can be read, but takes no new messages');
  t.notMatch(page.body, 'hx-sse:connect', 'and nothing to listen to');
  const refused = await portal.post(`/portal/tickets/${id}/chat`, { body: 'Still there?' });
  t.equal(refused.statusCode, 409);
  t.match(refused.body, 'its chat takes no new messages');
  t.equal((await db.selectFrom('messages').select('id').where('kind', '=', 'chat').execute()).length, 1, 'nothing new stored');
});
