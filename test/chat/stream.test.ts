// The live streams on a real server: a customer's stream carries public chat lines and nothing
// else (no notes, no internal changes, no staff presence); staff streams carry presence too.
import t from 'tap';
import { liveDesk, openStream } from './helpers.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

const CANARY = 'CANARY-7f3a-internal';

/** The values a form would send as it stands: inputs, the selected options, textareas. */
function formValues(html: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const m of html.matchAll(/<input [^>]*>/g)) {
    const name = /name="([^"]+)"/.exec(m[0])?.[1];
    if (!name || /type="(checkbox|radio|file)"/.test(m[0]) && !/ checked/.test(m[0])) continue;
    values[name] = /value="([^"]*)"/.exec(m[0])?.[1] ?? '';
  }
  for (const m of html.matchAll(/<select [^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    values[m[1]!] = /<option value="([^"]*)"[^>]*selected/.exec(m[2]!)?.[1] ?? '';
  }
  for (const m of html.matchAll(/<textarea [^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) values[m[1]!] = m[2]!;
  return values;
}

t.test('a customer stream receives the chat line and never internal content or staff presence', async (t) => {
  const desk = await liveDesk(t);
  const { staff, portal, id, base, app, db } = desk;
  await portal.get(`/portal/tickets/${id}`);
  const customer = await openStream(t, base, `/portal/tickets/${id}/live`, portal);
  t.equal(customer.status, 200);
  t.match(customer.contentType ?? '', /^text\/event-stream/);

  // A second agent on the page: their stream, and them typing.
  const dana = await makeUser(db, 'agent', { name: 'Dana Agent' });
  const second = new Client(app);
  await second.login(dana.email, PASSWORD);
  await second.get(`/agent/tickets/${id}`);
  const danaStream = await openStream(t, base, `/agent/tickets/${id}/live`, second);
  await staff.get(`/agent/tickets/${id}`);
  const kimStream = await openStream(t, base, `/agent/tickets/${id}/live`, staff);
  t.ok(await kimStream.waitFor(/Dana Agent is viewing/), 'Kim sees that Dana is viewing');
  t.equal((await second.post(`/agent/tickets/${id}/presence`, {})).statusCode, 204);
  t.ok(await kimStream.waitFor(/Dana Agent is replying/), 'and then that Dana is replying');
  t.ok(await danaStream.waitFor(/Kim Agent is viewing/), 'Dana sees Kim');

  // Internal things: a note, and a change of the ticket with the canary in a field customers never see.
  const field = await db.insertInto('fields').values({ key: 'internal_note', label: 'Internal note', kind: 'text', customer_visible: 0,
    required_before_category: null, retired_at: null, created_at: new Date().toISOString() }).returning('id').executeTakeFirstOrThrow();
  const type = await db.selectFrom('tickets').select('type_id').where('id', '=', id).executeTakeFirstOrThrow();
  await db.insertInto('ticket_type_fields').values({ type_id: type.type_id, field_id: field.id, position: 1 }).execute();
  t.equal((await staff.post(`/agent/tickets/${id}/messages`, { kind: 'note', body: `${CANARY} note` })).statusCode, 303);
  const edit = await staff.get(`/agent/tickets/${id}/edit`);
  t.equal(edit.statusCode, 200);
  const form = formValues(edit.body);
  const changed = await staff.post(`/agent/tickets/${id}/edit`, {
    ...form, priority: 'high', field_internal_note: `${CANARY} change`,
  });
  t.equal(changed.statusCode, 303, 'the edit went through');
  const stored = await db.selectFrom('ticket_field_values').select('value').where('ticket_id', '=', id).where('field_id', '=', field.id).executeTakeFirst();
  t.equal(stored?.value, `${CANARY} change`, 'the internal field holds the canary');
  t.equal((await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'A public reply, mailed as usual' })).statusCode, 303);

  // Then one public chat line.
  t.equal((await staff.post(`/agent/tickets/${id}/chat`, { body: 'Chat line for Cora' })).statusCode, 303);
  t.ok(await customer.waitFor(/Chat line for Cora/), 'the customer stream got the chat line');
  t.ok(await danaStream.waitFor(/Chat line for Cora/), 'so did the other agent');
  t.ok(await danaStream.waitFor(/Kim Agent wrote since you opened this form/), 'with a notice for Dana\'s open reply form');
  await new Promise((r) => setTimeout(r, 200));
  const received = customer.text();
  t.notMatch(received, CANARY, 'never the internal content');
  t.notMatch(received, /is viewing|is replying|presence/, 'never staff presence');
  t.notMatch(received, /wrote since you opened|compose-stale/, 'never staff notices');
  t.notMatch(received, /A public reply/, 'only chat lines');
  t.match(received, /^data: <hx-partial hx-target="#chat-log" hx-swap="beforeend">/m, 'lines are htmx partials appended to the log');

  const row = await db.selectFrom('chat_marks').select('read_through_id').where('ticket_id', '=', id).where('user_id', '=', desk.cora.id).executeTakeFirst();
  const line = await db.selectFrom('messages').select('id').where('kind', '=', 'chat').executeTakeFirstOrThrow();
  t.equal(row?.read_through_id, line.id, 'a line delivered live counts as read');
});

t.test('presence ends with the stream; a customer taken off the ticket hears nothing more', async (t) => {
  const desk = await liveDesk(t);
  const { staff, portal, id, base, app, db, dan } = desk;
  const danPortal = new Client(app);
  await danPortal.login(dan.email, PASSWORD);
  const danStream = await openStream(t, base, `/portal/tickets/${id}/live`, danPortal);
  const dana = await makeUser(db, 'agent', { name: 'Dana Agent' });
  const second = new Client(app);
  await second.login(dana.email, PASSWORD);
  const danaStream = await openStream(t, base, `/agent/tickets/${id}/live`, second);
  await staff.get(`/agent/tickets/${id}`);
  const kimStream = await openStream(t, base, `/agent/tickets/${id}/live`, staff);
  t.ok(await kimStream.waitFor(/Dana Agent is viewing/));
  t.match((await staff.get(`/agent/tickets/${id}`)).body, /<li class="presence-viewing">Dana Agent is viewing<\/li>/, 'the page itself shows who is here at load time');
  danaStream.close();
  t.ok(await kimStream.waitFor(/hx-target="#presence" hx-swap="innerHTML">(\s|data:)*<\/hx-partial>/), 'Dana left: the presence line empties');

  await db.deleteFrom('ticket_ccs').where('ticket_id', '=', id).execute();
  await portal.get(`/portal/tickets/${id}`);
  await staff.post(`/agent/tickets/${id}/chat`, { body: 'Only for Cora now' });
  t.ok(await kimStream.waitFor(/Only for Cora now/));
  await new Promise((r) => setTimeout(r, 200));
  t.notMatch(danStream.text(), 'Only for Cora now', 'Dan is no longer CC\'d: not a word');
});

t.test('closing the app ends open streams promptly', async (t) => {
  const desk = await liveDesk(t);
  const stream = await openStream(t, desk.base, `/portal/tickets/${desk.id}/live`, desk.portal);
  t.equal(stream.status, 200);
  const started = Date.now();
  await desk.app.close();
  t.ok(Date.now() - started < 2000, `closed in ${Date.now() - started} ms`);
});
