// Bulk actions on the agent list (issue 8.3): select rows, then assign, change status, priority or
// group; one history event per ticket per change, all or nothing, back to the same list.
import t, { type Test } from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD, ticketIdsIn } from '../helpers/factories.js';

const HTMX = { 'hx-request': 'true', 'hx-request-type': 'partial' };

/** The bulk form as a browser sends it: `ids` repeated once per ticked row. */
function bulk(client: Client, fields: Record<string, string>, ids: number[], headers: Record<string, string> = {}) {
  const body = new URLSearchParams({ _csrf: client.csrf, ...fields });
  for (const id of ids) body.append('ids', String(id));
  return send(client, body, headers);
}

async function send(client: Client, body: URLSearchParams, headers: Record<string, string> = {}) {
  const res = await client.app.inject({
    method: 'POST', url: '/agent/tickets/bulk', payload: body.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...headers },
  });
  // Keep the flash cookie, as a browser would.
  for (const cookie of res.cookies as { name: string; value: string }[]) client.cookies.set(cookie.name, cookie.value);
  return res;
}

async function desk(t: Test) {
  const d = await buildTestDesk(t);
  const agent = await makeUser(d.db, 'agent', { name: 'Ada Agent' });
  const quinn = await makeUser(d.db, 'agent', { name: 'Quinn Q' });
  const customer = await makeUser(d.db, 'customer');
  const billing = await d.db.insertInto('groups').values({ name: 'Billing', created_at: '2026-01-01T00:00:00Z' }).returning('id').executeTakeFirstOrThrow();
  const ids = await makeTickets(d.db, 4, (i) => ({ requesterId: customer.id, subject: `Ticket ${i}`, statusId: 2 }));
  const ada = new Client(d.app);
  await ada.login(agent.email, PASSWORD);
  await ada.get('/agent/tickets');
  const tickets = () => d.db.selectFrom('tickets').select(['id', 'status_id', 'priority', 'assignee_id', 'group_id']).orderBy('id').execute();
  const events = (kind: string) => d.db.selectFrom('ticket_events').select(['ticket_id', 'from_value', 'to_value']).where('kind', '=', kind).orderBy('ticket_id').execute();
  const mails = async () => (await d.app.worker.consume(), await d.db.selectFrom('jobs').select('payload').where('kind', '=', 'mail').execute()).map((m) => JSON.parse(m.payload) as { to: string[]; subject: string });
  return { ...d, agent, quinn, customer, billing, ids, ada, tickets, events, mails };
}

t.test('without JS: a plain form POST changes the selected tickets and returns to the same list with a message', async (t) => {
  const d = await desk(t);
  const [a, b, c] = d.ids as [number, number, number];
  const list = await d.ada.get('/agent/tickets?status=2&sort=id');
  t.match(list.body, /<form id="bulk-form" class="bulk" method="post" action="\/agent\/tickets\/bulk"/);
  t.match(list.body, '<input type="hidden" name="back" value="status=2&amp;sort=id">');
  t.match(list.body, `name="ids" value="${a}"`);

  const res = await bulk(d.ada, { back: 'status=2&sort=id', priority: 'urgent', group: String(d.billing.id), assignee: String(d.quinn.id), status: '3' }, [a, b]);
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/agent/tickets?status=2&sort=id', 'back to the same list');
  const after = await d.tickets();
  for (const id of [a, b]) t.match(after.find((x) => x.id === id), { status_id: 3, priority: 'urgent', assignee_id: d.quinn.id, group_id: d.billing.id });
  t.match(after.find((x) => x.id === c), { status_id: 2, priority: 'normal', assignee_id: null, group_id: null }, 'an unselected ticket is untouched');
  for (const kind of ['priority', 'group', 'assignee', 'status']) {
    t.same((await d.events(kind)).map((e) => e.ticket_id), [a, b], `one ${kind} event per ticket`);
  }
  t.same((await d.events('status'))[0], { ticket_id: a, from_value: 'Open', to_value: 'Pending' });
  t.same((await d.events('priority'))[0], { ticket_id: a, from_value: 'Normal', to_value: 'Urgent' });
  const mails = await d.mails();
  t.equal(mails.filter((m) => m.subject === '2 tickets assigned to you').length, 1, 'one summary mail for the assignee');
  t.equal(mails.filter((m) => /Assigned to you/.test(m.subject)).length, 0, 'not one mail per ticket');

  const back = await d.ada.get(res.headers.location as string);
  t.match(back.body, '2 tickets updated.');
  t.same(ticketIdsIn(back.body), [c, d.ids[3]].sort((x, y) => y! - x!), 'the same list (status Open) without the moved tickets');
});

t.test('"select all on this page" without JS takes the page\'s tickets; assign to me', async (t) => {
  const d = await desk(t);
  const list = await d.ada.get('/agent/tickets?sort=id');
  t.match(list.body, 'name="all" value="1"');
  const page = ticketIdsIn(list.body);
  const body = new URLSearchParams({ _csrf: d.ada.csrf, back: 'sort=id', all: '1', assignee: 'me' });
  const pageField = /<input type="hidden" name="page" value="([\d ]+)">/.exec(list.body)?.[1];
  t.equal(pageField, page.join(' '), "the form carries the page's ids in one field");
  body.append('page', pageField ?? '');
  const res = await send(d.ada, body);
  t.equal(res.statusCode, 303);
  t.ok((await d.tickets()).every((x) => x.assignee_id === d.agent.id), 'every ticket on the page is now mine');
  t.equal((await d.events('assignee')).length, 4);
  t.equal((await d.mails()).length, 0, 'no mail for assigning to oneself');
});

t.test('with htmx: the answer sends the table to be swapped, with the message', async (t) => {
  const d = await desk(t);
  const [a] = d.ids as [number];
  const res = await bulk(d.ada, { back: 'sort=id', priority: 'low' }, [a], HTMX);
  t.equal(res.statusCode, 200);
  t.same(JSON.parse(res.headers['hx-location'] as string), { path: '/agent/tickets?sort=id', target: '#ticket-table', swap: 'outerHTML' });
  const table = await d.ada.get('/agent/tickets?sort=id', HTMX);
  t.equal(table.statusCode, 200);
  t.match(table.body, /^<div id="ticket-table">/, 'only the table');
  t.match(table.body, '1 ticket updated.');
  t.notMatch(table.body, 'side-menu');
  t.equal((await d.tickets()).find((x) => x.id === a)!.priority, 'low');
});

t.test('a ticket out of the agent\'s scope refuses the whole action: nothing changes, the refused number is named', async (t) => {
  const d = await desk(t);
  const provider = await d.db.insertInto('groups').values({ name: 'Provider', is_restricted: 1, created_at: '2026-01-01T00:00:00Z' }).returning('id').executeTakeFirstOrThrow();
  const outsider = await makeUser(d.db, 'agent');
  await d.db.insertInto('group_members').values({ group_id: provider.id, user_id: outsider.id }).execute();
  const [theirs] = await makeTickets(d.db, 1, { requesterId: d.customer.id, groupId: provider.id, statusId: 2 });
  const client = new Client(d.app);
  await client.login(outsider.email, PASSWORD);
  await client.get('/agent/tickets');
  const before = await d.tickets();
  const res = await bulk(client, { back: '', status: '4' }, [theirs!, d.ids[0]!]);
  t.equal(res.statusCode, 403);
  t.match(res.body, `Nothing was changed: you may not change ticket #${d.ids[0]}.`);
  t.match(res.body, `name="ids" value="${theirs}" aria-label="Select ticket #${theirs}" checked`, 'the selection is kept');
  t.same(await d.tickets(), before, 'not even the visible ticket changed');
  t.equal((await d.events('status')).length, 0);
  const partial = await bulk(client, { back: '', status: '4' }, [theirs!, d.ids[0]!], HTMX);
  t.equal(partial.statusCode, 403);
  t.match(partial.body, /^<div id="ticket-table">/, 'htmx gets the table with the message');
});

t.test('a status that needs a field is enforced per ticket, all or nothing', async (t) => {
  const d = await desk(t);
  const field = await d.db.insertInto('fields').values({ key: 'cause', label: 'Root cause', kind: 'text', required_before_category: 'solved', retired_at: null, created_at: '2026-01-01T00:00:00Z' })
    .returning('id').executeTakeFirstOrThrow();
  await d.db.insertInto('ticket_type_fields').values({ type_id: 1, field_id: field.id, position: 1 }).execute();
  const [a, b] = d.ids as [number, number];
  await d.db.insertInto('ticket_field_values').values({ ticket_id: a, field_id: field.id, value: 'cable' }).execute();
  const res = await bulk(d.ada, { back: 'sort=id', status: '4', priority: 'high' }, [a, b]);
  t.equal(res.statusCode, 422);
  t.match(res.body, `Nothing was changed: ticket #${b} needs Root cause before it can be Solved.`);
  t.match(res.body, /<option value="4" selected>Solved<\/option>/, 'the chosen status is kept');
  t.ok((await d.tickets()).every((x) => x.status_id === 2 && x.priority === 'normal'), 'ticket A was not solved either');
  t.equal((await d.events('priority')).length, 0);
});

t.test('bad input and CSRF', async (t) => {
  const d = await desk(t);
  const none = await bulk(d.ada, { back: '', status: '4' }, []);
  t.equal(none.statusCode, 422);
  t.match(none.body, 'Select at least one ticket.');
  const nothing = await bulk(d.ada, { back: '' }, [d.ids[0]!]);
  t.equal(nothing.statusCode, 422);
  t.match(nothing.body, 'Choose at least one change to make.');
  const bad: Record<string, string>[] = [{ priority: 'critical' }, { status: 'x' }, { assignee: String(d.customer.id) }, { group: '9999' }];
  for (const fields of bad) {
    const res = await bulk(d.ada, { back: '', ...fields }, [d.ids[0]!]);
    t.equal(res.statusCode, 422, JSON.stringify(fields));
  }
  t.equal((await bulk(d.ada, { back: 'sort=nope', priority: 'low' }, [d.ids[0]!])).statusCode, 400, 'a forged back address');
  const forged = await bulk(d.ada, { back: '', priority: 'low', _csrf: 'forged' }, [d.ids[0]!]);
  t.equal(forged.statusCode, 403);
  t.ok((await d.tickets()).every((x) => x.priority === 'normal'), 'nothing changed');
});
