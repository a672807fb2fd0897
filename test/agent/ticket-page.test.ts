// The agent's ticket page (issue 19): one conversation on General, its order a profile choice, the
// side panel whose every change goes through the kernel (history and event), "Send and next ticket".
import t, { type Test } from 'tap';
import { nowIso } from '../../src/lib/time.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeCcs, makeMessage, makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';
import { panelValue } from '../helpers/panel.js';

async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const agent = await makeUser(desk.db, 'agent', { name: 'Robin Agent' });
  const customer = await makeUser(desk.db, 'customer', { name: 'Cora Customer' });
  const [id] = await makeTickets(desk.db, 1, { requesterId: customer.id, subject: 'Broken VPN' });
  const staff = new Client(desk.app);
  await staff.login(agent.email, PASSWORD);
  return { ...desk, agent, customer, id: id!, staff };
}

/** Where each text first appears in the page (-1 when absent). */
const positions = (html: string, ...texts: string[]) => texts.map((text) => html.indexOf(text));
/** The open tab's content (the messenger beside it shows chat lines on every tab). */
const tabPanel = (html: string) => html.slice(html.indexOf('<div id="tab-panel"'), html.indexOf('<div id="modal">'));
const ascending = (numbers: number[]) => numbers.every((n, i) => n >= 0 && (i === 0 || n > numbers[i - 1]!));

t.test('General tells the whole story in one stream, in time order: replies, public updates, chat lines and internal notes', async (t) => {
  const { db, staff, customer, agent, id } = await setup(t);
  await makeMessage(db, id, { authorId: customer.id, kind: 'reply', text: 'FIRST the VPN drops every hour', at: '2026-03-01T09:00:00.000Z' });
  await makeMessage(db, id, { authorId: customer.id, kind: 'chat', text: 'SECOND are you there?', at: '2026-03-01T09:05:00.000Z' });
  await makeMessage(db, id, { authorId: agent.id, kind: 'update', text: 'THIRD router replaced', at: '2026-03-01T10:00:00.000Z' });
  const note = await staff.post(`/agent/tickets/${id}/messages`, { kind: 'note', body: 'FOURTH the router is from a bad batch', tab: 'general' });
  t.equal(note.headers.location, `/agent/tickets/${id}?tab=general`, 'a note written on General comes back to General');
  await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'FIFTH we replaced your router', tab: 'general' });

  const general = await staff.page(`/agent/tickets/${id}`);
  t.ok(ascending(positions(general, 'FIRST', 'SECOND', 'THIRD', 'FOURTH', 'FIFTH')), 'replies, chat, update and note in one stream, oldest first',
    { positions: positions(general, 'FIRST', 'SECOND', 'THIRD', 'FOURTH', 'FIFTH') });
  t.match(general, /<article class="message message-note by-staff">\s*<header>\s*<strong>Robin Agent<\/strong>\s*<span class="badge badge-internal">Internal<\/span>[\s\S]*?FOURTH/,
    'the note is tinted (message-note) and labelled Internal');
  t.match(general, /<article class="message message-chat by-customer">[\s\S]*?<span class="badge badge-chat">Chat<\/span>[\s\S]*?SECOND/, 'the chat line is marked');
  t.match(general, /<article class="message message-update by-staff">[\s\S]*?<span class="badge badge-update">Public update<\/span>[\s\S]*?THIRD/);
  t.match(general, /<time datetime="2026-03-01T09:00:00.000Z" title="[^"]+">/, 'times are <time> with the exact time in the title');
  t.ok(general.indexOf('id="compose"') > general.indexOf('FIFTH'), 'oldest first: the reply box is under the newest message');
  t.match(general, '<a class="jump-to-compose" href="#compose">Write a reply ↓</a>', 'and a link at the top reaches it at once');

  t.match(general, /<p class="hint" id="kind-update-hint">An entry in the ticket&#39;s service record[^<]*Cora Customer sees it on their ticket page and gets it by mail\.<\/p>/,
    'where the agent chooses "Public update", the page says what it is');
  t.match(general, /<p class="hint" id="kind-reply-hint">A message to Cora Customer: mailed to them/);
  t.match(general, /<button type="submit" class="primary" name="then" value="stay">Send<\/button>\s*<details class="send-as">\s*<summary>Send and set status…<\/summary>/);
  t.match(general, '<button type="submit" name="then" value="next">Send and next ticket</button>');

  t.match(general, /<input type="radio" name="kind" value="reply" aria-describedby="kind-reply-hint" checked>/, 'on General the box starts as a reply');
  t.match(await staff.page(`/agent/tickets/${id}?tab=updates`), /<input type="radio" name="kind" value="update" aria-describedby="kind-update-hint" checked>/,
    'on Updates, as a public update');
  t.match(await staff.page(`/agent/tickets/${id}?tab=internal`), /<input type="radio" name="kind" value="note" aria-describedby="kind-note-hint" checked>/,
    'on Internal Updates, as a note');
  const updates = tabPanel(await staff.page(`/agent/tickets/${id}?tab=updates`));
  t.match(updates, 'THIRD');
  t.notMatch(updates, /FIRST|SECOND|FOURTH|FIFTH/, 'Updates stays the manual\'s filtered view');
  const internal = tabPanel(await staff.page(`/agent/tickets/${id}?tab=internal`));
  t.match(internal, 'FOURTH');
  t.notMatch(internal, /FIRST|SECOND|THIRD|FIFTH/, 'Internal Updates too');
});

t.test('newest first is a profile choice, kept per person: the stream turns round and the reply box moves above it', async (t) => {
  const { db, app, staff, customer, agent, id } = await setup(t);
  await makeMessage(db, id, { authorId: customer.id, kind: 'reply', text: 'OLDER message', at: '2026-03-01T09:00:00.000Z' });
  await makeMessage(db, id, { authorId: agent.id, kind: 'note', text: 'NEWER note', at: '2026-03-02T09:00:00.000Z' });
  t.match(await staff.page('/account'), /<select id="f-conversationOrder" name="conversationOrder"[^>]*>\s*<option value="oldest" selected>Oldest first \(reply box below\)<\/option>/,
    'the profile offers the choice, oldest first by default');

  const saved = await staff.post('/account', { name: 'Robin Agent', locale: 'en', timeZone: '', conversationOrder: 'newest' });
  t.equal(saved.statusCode, 303);
  t.equal((await db.selectFrom('users').select('conversation_order').where('id', '=', agent.id).executeTakeFirstOrThrow()).conversation_order, 'newest');
  const page = await staff.page(`/agent/tickets/${id}`);
  t.ok(ascending(positions(page, 'id="compose"', 'NEWER note', 'OLDER message')), 'the reply box, then the newest message, then the oldest');
  t.match(page, 'Newest first · <a href="/account#f-conversationOrder">change in your profile</a>');
  t.ok(ascending(positions(await staff.page(`/agent/tickets/${id}?tab=internal`), 'NEWER note', 'id="compose"')), 'the filtered tabs keep the box under their list');

  const colleague = await makeUser(db, 'agent');
  const other = new Client(app);
  await other.login(colleague.email, PASSWORD);
  t.ok(ascending(positions(await other.page(`/agent/tickets/${id}`), 'OLDER message', 'NEWER note', 'id="compose"')), 'a colleague still reads oldest first');

  t.equal((await staff.post('/account', { name: 'Robin Agent', locale: 'en', timeZone: '', conversationOrder: 'sideways' })).statusCode, 422, 'no third order');
  const portal = new Client(app);
  await portal.login((await db.selectFrom('users').select('email').where('id', '=', customer.id).executeTakeFirstOrThrow()).email, PASSWORD);
  t.notMatch(await portal.page('/account'), 'conversationOrder', 'customers are not asked');
  await portal.post('/account', { name: 'Cora Customer', locale: 'en', timeZone: '', conversationOrder: 'newest' });
  t.equal((await db.selectFrom('users').select('conversation_order').where('id', '=', customer.id).executeTakeFirstOrThrow()).conversation_order, 'oldest',
    'nor can they set it');
});

t.test('a property changed in the side panel is saved through the kernel: history, a ticket.changed event, and the page again', async (t) => {
  const { db, staff, agent, id } = await setup(t);
  const page = await staff.page(`/agent/tickets/${id}`);
  t.match(page, /<aside class="ticket-panel" aria-labelledby="panel-title">/, 'the page has the side panel');
  t.match(page, /<form class="property" method="post" action="\/agent\/tickets\/\d+\/properties" novalidate\s+hx-post="[^"]+" hx-trigger="change, submit"[^>]*>[\s\S]*?name="property" value="priority"[\s\S]*?<select id="p-priority" name="priority">[\s\S]*?<option value="normal" selected>Normal<\/option>[\s\S]*?<button type="submit" class="panel-save">Save<span class="visually-hidden"> Priority<\/span><\/button>/,
    'each property is a small form of its own: htmx sends it on change, its Save button without JavaScript');

  const res = await staff.post(`/agent/tickets/${id}/properties`, { property: 'priority', priority: 'urgent', tab: 'general' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, `/agent/tickets/${id}`);
  t.equal((await db.selectFrom('tickets').select('priority').where('id', '=', id).executeTakeFirstOrThrow()).priority, 'urgent');
  const history = await db.selectFrom('ticket_events').select(['kind', 'from_value', 'to_value', 'actor_id']).where('ticket_id', '=', id).execute();
  t.same(history, [{ kind: 'priority', from_value: 'Normal', to_value: 'Urgent', actor_id: agent.id }], 'one history line');
  const events = await db.selectFrom('events').select(['kind', 'actor_id', 'payload']).where('ticket_id', '=', id).execute();
  t.equal(events.length, 1, 'one domain event');
  t.equal(events[0]!.kind, 'ticket.changed');
  t.match(JSON.parse(String(events[0]!.payload)), { changes: [{ kind: 'priority', from: 'Normal', to: 'Urgent' }], set: { priority: 'urgent' } });
  const after = await staff.page(`/agent/tickets/${id}`);
  t.match(after, /<p class="flash" role="status">Saved\.<\/p>/);
  t.match(after, /<select id="p-priority" name="priority">[\s\S]*?<option value="urgent" selected>Urgent<\/option>/, 'the panel shows the new value');
  t.match(await staff.page(`/agent/tickets/${id}?tab=history`), /<td>Robin Agent<\/td>\s*<td>Priority<\/td>\s*<td>Normal<\/td>\s*<td>Urgent<\/td>/, 'History lists it');

  await staff.post(`/agent/tickets/${id}/properties`, { property: 'priority', priority: 'urgent' });
  t.equal((await db.selectFrom('ticket_events').select('id').where('ticket_id', '=', id).execute()).length, 1, 'the same value again records nothing');

  const htmx = await staff.post(`/agent/tickets/${id}/properties`, { property: 'groupId', groupId: '1', tab: 'history' },
    { 'hx-request': 'true', 'hx-request-type': 'partial' });
  t.equal(htmx.headers['hx-location'], `/agent/tickets/${id}?tab=history`, 'with htmx: the page again, on the tab it was sent from');
  t.equal((await db.selectFrom('tickets').select('group_id').where('id', '=', id).executeTakeFirstOrThrow()).group_id, 1);

  await staff.post(`/agent/tickets/${id}/properties`, { property: 'assigneeId', assigneeId: String(agent.id) });
  await staff.post(`/agent/tickets/${id}/properties`, { property: 'statusId', statusId: '3' });
  const ticket = await db.selectFrom('tickets').select(['assignee_id', 'status_id']).where('id', '=', id).executeTakeFirstOrThrow();
  t.same(ticket, { assignee_id: agent.id, status_id: 3 });
  const kinds = (await db.selectFrom('ticket_events').select('kind').where('ticket_id', '=', id).orderBy('id').execute()).map((e) => e.kind);
  t.same(kinds, ['priority', 'group', 'assignee', 'status'], 'each change its own history line');
  t.equal((await db.selectFrom('events').select('id').where('ticket_id', '=', id).where('kind', '=', 'ticket.changed').execute()).length, 4, 'and its own event');

  const gone = await makeUser(db, 'agent', { name: 'Gale Gone', state: 'disabled' });
  await db.updateTable('tickets').set({ assignee_id: gone.id }).where('id', '=', id).execute();
  t.equal(panelValue(await staff.page(`/agent/tickets/${id}`), 'Assignee'), 'Gale Gone', 'an assignee no longer active is still shown as the ticket\'s');
});

t.test('the type\'s own fields are in the panel; a wrong value or a refused status comes back with the message and the value as chosen', async (t) => {
  const { db, staff, id } = await setup(t);
  const field = await db.insertInto('fields').values({ key: 'domain_approved', label: 'Domain Approved', kind: 'dropdown',
    options: '["Approved","Declined","Cleared"]', required_before_category: 'solved', created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('ticket_type_fields').values({ type_id: 1, field_id: field.id, position: 1 }).execute();

  const refused = await staff.post(`/agent/tickets/${id}/properties`, { property: 'statusId', statusId: '4' });
  t.equal(refused.statusCode, 422);
  t.match(refused.body, /<aside class="ticket-panel"[^>]*>\s*<h2 id="panel-title">Details<\/h2>\s*<p class="alert" role="alert">Fill in Domain Approved before moving the ticket to Solved\.<\/p>/);
  t.match(refused.body, /<select id="p-statusId" name="statusId">[\s\S]*?<option value="4" selected>Solved<\/option>/, 'the status as chosen');
  t.match(refused.body, /<select id="p-field_domain_approved" name="field_domain_approved"[^>]*aria-invalid="true"/, 'the field to fill is marked');

  const wrong = await staff.post(`/agent/tickets/${id}/properties`, { property: 'field_domain_approved', field_domain_approved: 'Maybe' });
  t.equal(wrong.statusCode, 422);
  t.match(wrong.body, /<p class="error" id="p-field_domain_approved-error">Choose one of the options\.<\/p>/);
  t.equal((await db.selectFrom('ticket_field_values').select('value').execute()).length, 0, 'nothing stored');

  t.equal((await staff.post(`/agent/tickets/${id}/properties`, { property: 'field_domain_approved', field_domain_approved: 'Cleared' })).statusCode, 303);
  t.same(await db.selectFrom('ticket_events').select(['kind', 'field', 'from_value', 'to_value']).where('ticket_id', '=', id).execute(),
    [{ kind: 'field', field: 'Domain Approved', from_value: null, to_value: 'Cleared' }]);
  t.equal((await db.selectFrom('events').select('kind').where('ticket_id', '=', id).execute()).length, 1, 'a ticket.changed event');
  t.equal((await staff.post(`/agent/tickets/${id}/properties`, { property: 'statusId', statusId: '4' })).statusCode, 303, 'now it may be solved');

  const strict = await db.insertInto('ticket_types').values({ name: 'Partner', default_group_id: null, initial_status_id: null, retired_at: null, created_at: nowIso() })
    .returning('id').executeTakeFirstOrThrow();
  const partner = await db.insertInto('fields').values({ key: 'partner', label: 'Partner name', kind: 'text', required_for_agent: 1, required_before_category: null, retired_at: null, created_at: nowIso() })
    .returning('id').executeTakeFirstOrThrow();
  await db.insertInto('ticket_type_fields').values({ type_id: strict.id, field_id: partner.id, position: 1 }).execute();
  const type = await staff.post(`/agent/tickets/${id}/properties`, { property: 'typeId', typeId: String(strict.id) });
  t.equal(type.statusCode, 422);
  t.match(type.body, 'Partner needs Partner name filled in first: change the type with “Edit”');
  t.equal((await db.selectFrom('tickets').select('type_id').where('id', '=', id).executeTakeFirstOrThrow()).type_id, 1, 'the type stays');

  t.equal((await staff.post(`/agent/tickets/${id}/properties`, { property: 'visibility', visibility: 'internal' })).statusCode, 422, 'only the panel\'s properties');
  t.equal((await staff.post(`/agent/tickets/${id}/properties`, { property: 'assigneeId', assigneeId: '999' })).statusCode, 422, 'only staff are assignees');
  t.equal((await staff.post('/agent/tickets/424242/properties', { property: 'priority', priority: 'low' })).statusCode, 404);
});

t.test('the panel shows the requester and their other recent tickets, newest first, as far as the agent may see them', async (t) => {
  const { db, app, customer, id } = await setup(t);
  const restricted = await db.insertInto('groups').values({ name: 'Provider', is_restricted: 1, created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  const provider = await makeUser(db, 'agent', { name: 'Pat Provider' });
  await db.insertInto('group_members').values({ group_id: restricted.id, user_id: provider.id }).execute();
  await db.updateTable('tickets').set({ group_id: restricted.id }).where('id', '=', id).execute();
  const others = await makeTickets(db, 7, (i) => ({ requesterId: customer.id, subject: `Other ${i}`, at: `2026-02-0${i + 1}T00:00:00.000Z`,
    groupId: i === 6 ? null : restricted.id }));

  const staff = new Client(app);
  await staff.login((await db.selectFrom('users').select('email').where('name', '=', 'Robin Agent').executeTakeFirstOrThrow()).email, PASSWORD);
  const page = await staff.page(`/agent/tickets/${id}`);
  t.match(page, /<h2 id="requester-title">Requester<\/h2>\s*<p><a href="\/agent\/tickets\?requester=\d+">Cora Customer<\/a>/);
  const listed = [...page.matchAll(/<li><a href="\/agent\/tickets\/(\d+)"><span class="muted">#\d+<\/span> (Other \d)<\/a>/g)].map((m) => m[2]);
  t.same(listed, ['Other 6', 'Other 5', 'Other 4', 'Other 3', 'Other 2'], 'the five newest, not this ticket');

  const pat = new Client(app);
  await pat.login((await db.selectFrom('users').select('email').where('id', '=', provider.id).executeTakeFirstOrThrow()).email, PASSWORD);
  const theirs = await pat.page(`/agent/tickets/${id}`);
  t.notMatch(theirs, 'Other 6', 'a restricted agent does not see tickets outside their groups listed');
  t.match(theirs, 'Other 5');
  t.ok(others.length === 7);
});

t.test('the panel lists tags, CCs and other types\' field values in one order on both databases, and shows the newest rating', async (t) => {
  // Sorted by the app, not the database (src/lib/order.ts): text by its bytes, as SQLite compares it
  // (capitals before small letters, accented letters after z) whatever PostgreSQL's collation; a tie
  // broken by who came first.
  const { db, staff, customer, id } = await setup(t);
  for (const tag of ['zeta', 'émile', 'alpha', 'mu']) t.equal((await staff.post(`/agent/tickets/${id}/tags`, { tag })).statusCode, 303, `tag ${tag}`);
  const samFirst = await makeUser(db, 'customer', { name: 'Sam', email: 'sam.z@example.test' });
  const samSecond = await makeUser(db, 'customer', { name: 'Sam', email: 'sam.a@example.test' });
  const bob = await makeUser(db, 'customer', { name: 'Bob', email: 'bob@example.test' });
  const alice = await makeUser(db, 'customer', { name: 'alice', email: 'alice@example.test' });
  await makeCcs(db, id, alice.id, samSecond.id, bob.id, samFirst.id);
  for (const label of ['area', 'Zone', 'Beta']) {
    // Fields the ticket's type does not have (retired, or of a former type): shown read-only, by label.
    const field = await db.insertInto('fields').values({ key: label.toLowerCase(), label, kind: 'text', created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('ticket_field_values').values({ ticket_id: id, field_id: field.id, value: `${label} value` }).execute();
  }
  await db.insertInto('ratings').values({ ticket_id: id, user_id: customer.id, score: 'good', comment: 'OLDER rating', created_at: nowIso() }).execute();
  await db.insertInto('ratings').values({ ticket_id: id, user_id: bob.id, score: 'bad', comment: 'NEWER rating', created_at: nowIso() }).execute();

  const page = await staff.page(`/agent/tickets/${id}`);
  t.same([...page.matchAll(/<li class="tag"><a href="[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]), ['alpha', 'mu', 'zeta', 'émile'], 'tags');
  t.match(page, '<dd>Bob &lt;bob@example.test&gt;, Sam &lt;sam.z@example.test&gt;, Sam &lt;sam.a@example.test&gt;, alice &lt;alice@example.test&gt;</dd>',
    'CCs by name; the two of one name as they joined the desk');
  t.ok(ascending(positions(page, '<dt>Beta</dt><dd>Beta value</dd>', '<dt>Zone</dt><dd>Zone value</dd>', '<dt>area</dt><dd>area value</dd>')), 'other field values by label');
  t.match(page, /<span class="badge rating-bad">[^<]*<\/span> “NEWER rating”/, 'the newest rating');
  t.notMatch(page, 'OLDER rating', 'and only that one');
});

t.test('"Send and next ticket" sends, then opens the open ticket that has waited longest: the agent\'s own, else an unassigned one, else the list', async (t) => {
  const { db, staff, customer, agent, id } = await setup(t);
  await db.updateTable('tickets').set({ assignee_id: agent.id }).where('id', '=', id).execute();
  const [older, newer, solved] = await makeTickets(db, 3, (i) => ({ requesterId: customer.id, assigneeId: agent.id, subject: `Mine ${i}`,
    statusId: i === 2 ? 4 : 2, at: [`2026-01-05T00:00:00.000Z`, `2026-01-06T00:00:00.000Z`, `2026-01-04T00:00:00.000Z`][i] }));
  const [unassigned] = await makeTickets(db, 1, { requesterId: customer.id, subject: 'Nobody\'s', at: '2025-12-01T00:00:00.000Z' });

  const first = await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'Done here', then: 'next' });
  t.equal(first.statusCode, 303);
  t.equal(first.headers.location, `/agent/tickets/${older}`, 'the longest-waiting of the agent\'s own open tickets (not the solved one)');
  t.equal((await db.selectFrom('messages').select('body_text').where('ticket_id', '=', id).executeTakeFirstOrThrow()).body_text, 'Done here', 'the reply was sent');
  t.match(await staff.page(first.headers.location as string), '<p class="flash" role="status">Reply sent.</p>');

  const second = await staff.post(`/agent/tickets/${older}/messages`, { kind: 'note', body: 'Waiting for the vendor', then: 'next' });
  t.equal(second.headers.location, `/agent/tickets/${newer}`, 'the ticket just answered moved to the back of the queue');

  await db.updateTable('tickets').set({ status_id: 4 }).where('assignee_id', '=', agent.id).where('id', '!=', newer!).execute();
  t.equal((await staff.post(`/agent/tickets/${newer}/messages`, { kind: 'reply', body: 'Fixed', then: 'next' })).headers.location,
    `/agent/tickets/${unassigned}`, 'none of their own left: an unassigned one');
  await db.updateTable('tickets').set({ status_id: 4 }).where('id', '=', unassigned!).execute();
  const last = await staff.post(`/agent/tickets/${newer}/messages`, { kind: 'reply', body: 'Anything else?', then: 'next' });
  t.equal(last.headers.location, '/agent/tickets?view=my_open', 'nothing waiting: back to the list');
  t.ok(solved);
});

t.test('the ticket page in its states is valid HTML: every kind of message, a refused panel change, newest first, the customer\'s solved ticket', async (t) => {
  const { HtmlValidate } = await import('html-validate');
  const validator = new HtmlValidate({ extends: ['html-validate:recommended'] });
  const findings = async (html: string) => (await validator.validateString(html)).results.flatMap((r) => r.messages.map((m) => `${m.ruleId} at ${m.line}: ${m.message}`));
  const { db, app, staff, customer, agent, id } = await setup(t);
  for (const [kind, text] of [['reply', 'A reply'], ['chat', 'A chat line'], ['update', 'An update'], ['note', 'A note']] as const) {
    await makeMessage(db, id, { authorId: kind === 'chat' ? customer.id : agent.id, kind, text });
  }
  const field = await db.insertInto('fields').values({ key: 'vip', label: 'VIP', kind: 'checkbox', created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('ticket_type_fields').values({ type_id: 1, field_id: field.id, position: 1 }).execute();
  const pages: [string, string][] = [
    ['General', await staff.page(`/agent/tickets/${id}`)],
    ['Internal Updates', await staff.page(`/agent/tickets/${id}?tab=internal`)],
    ['a refused panel change', (await staff.post(`/agent/tickets/${id}/properties`, { property: 'assigneeId', assigneeId: '999' })).body],
    ['a refused message', (await staff.post(`/agent/tickets/${id}/messages`, { kind: 'note', body: ' ', statusId: '4' })).body],
  ];
  await staff.post('/account', { name: 'Robin Agent', locale: 'en', timeZone: '', conversationOrder: 'newest' });
  pages.push(['newest first', await staff.page(`/agent/tickets/${id}`)]);
  await db.updateTable('tickets').set({ status_id: 4 }).where('id', '=', id).execute();
  const portal = new Client(app);
  await portal.login((await db.selectFrom('users').select('email').where('id', '=', customer.id).executeTakeFirstOrThrow()).email, PASSWORD);
  pages.push(['the customer\'s solved ticket', await portal.page(`/portal/tickets/${id}`)]);
  await db.updateTable('tickets').set({ status_id: 5 }).where('id', '=', id).execute();
  pages.push(['the customer\'s closed ticket', await portal.page(`/portal/tickets/${id}`)]);
  for (const [what, html] of pages) t.same(await findings(html), [], `${what}: no findings`);
});
