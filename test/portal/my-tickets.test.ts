import t, { type Test } from 'tap';
import { makeUser, ticketIdsIn } from '../helpers/factories.js';
import { cc, desk, loggedIn, makeCustomer, makeOrg, tabCount, ticket } from './my-tickets-helpers.js';

const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

/** Acme keeps its tickets to each requester; Beta shares them among its members. */
async function portalDesk(t: Test) {
  const d = await desk(t);
  const { db, statuses: s } = d;
  const acme = await makeOrg(db, 'Acme', false);
  const beta = await makeOrg(db, 'Beta', true);
  const cora = await makeCustomer(db, 'Cora Acme', acme);
  const anna = await makeCustomer(db, 'Anna Acme', acme);
  const carl = await makeCustomer(db, 'Carl Acme-Manager', acme, true);
  const bea = await makeCustomer(db, 'Bea Beta', beta);
  const ben = await makeCustomer(db, 'Ben Beta', beta);
  const dan = await makeCustomer(db, 'Dan Solo');
  const staff = await makeUser(db, 'agent', { name: 'Sam Staff' });
  const mine = (statusId: number, subject: string) => ticket(db, { requesterId: cora.id, organizationId: acme, statusId, subject });
  const c = {
    received: await mine(1, 'cora received'),
    waiting: await mine(s.pending, 'cora waiting on me'),
    onHold: await mine(s.onHold, 'cora on hold'),
    solved: await mine(4, 'cora solved'),
    closed: await mine(5, 'cora closed'),
    cancelled: await mine(s.cancelled, 'cora cancelled'),
    internal: await ticket(db, { requesterId: cora.id, organizationId: acme, statusId: 2, subject: 'cora internal', visibility: 'internal' }),
  };
  const anna1 = await ticket(db, { requesterId: anna.id, organizationId: acme, statusId: 2, subject: 'anna open' });
  const annaCc = await ticket(db, { requesterId: anna.id, organizationId: acme, statusId: 2, subject: 'anna cc cora' });
  await cc(db, annaCc, cora.id);
  const bea1 = await ticket(db, { requesterId: bea.id, organizationId: beta, statusId: 2, subject: 'bea open' });
  const ben1 = await ticket(db, { requesterId: ben.id, organizationId: beta, statusId: 4, subject: 'ben solved' });
  const dan1 = await ticket(db, { requesterId: dan.id, statusId: 2, subject: 'dan open' });
  await db.updateTable('tickets').set({ last_replier_id: staff.id }).where('id', '=', c.received).execute();
  return { ...d, acme, beta, cora, anna, carl, bea, ben, dan, staff, c, anna1, annaCc, bea1, ben1, dan1 };
}

async function list(t: Test, client: Awaited<ReturnType<typeof loggedIn>>, query: string) {
  const res = await client.get(`/portal/tickets${query ? `?${query}` : ''}`);
  t.equal(res.statusCode, 200, query);
  return { ids: sorted(ticketIdsIn(res.body)), body: res.body };
}

t.test('Opened and Resolved tabs split tickets by status category, with counts', async (t) => {
  const d = await portalDesk(t);
  const cora = await loggedIn(d.app, d.cora.email);
  const opened = await list(t, cora, '');
  t.same(opened.ids, sorted([d.c.received, d.c.waiting, d.c.onHold]), 'new, pending and on-hold are opened; internal never shown');
  t.equal(tabCount(opened.body, 'Opened'), 3);
  t.equal(tabCount(opened.body, 'Resolved'), 3);
  t.match(opened.body, /<a href="\/portal\/tickets\?tab=resolved" aria-current|<a href="\/portal\/tickets\?tab=resolved">/);
  t.match(opened.body, /<a href="\/portal\/tickets" aria-current="page">Opened/);
  const resolved = await list(t, cora, 'tab=resolved');
  t.same(resolved.ids, sorted([d.c.solved, d.c.closed, d.c.cancelled]), 'solved, closed and cancelled are resolved');
  t.match(resolved.body, /<a href="\/portal\/tickets\?tab=resolved" aria-current="page">Resolved/);
  t.match(resolved.body, '<input type="hidden" name="tab" value="resolved">', 'the form keeps the tab');
  t.same((await list(t, cora, 'tab=opened')).ids, opened.ids);
});

t.test('the Status filter: waiting on me (pending) and waiting on support (new, open, on hold)', async (t) => {
  const d = await portalDesk(t);
  const cora = await loggedIn(d.app, d.cora.email);
  const me = await list(t, cora, 'status=me');
  t.same(me.ids, [d.c.waiting]);
  t.equal(tabCount(me.body, 'Opened'), 1);
  t.equal(tabCount(me.body, 'Resolved'), 0, 'nothing resolved is waiting on anyone');
  t.same((await list(t, cora, 'status=support')).ids, sorted([d.c.received, d.c.onHold]));
  t.same((await list(t, cora, 'tab=resolved&status=me')).ids, []);
  t.match(me.body, /<option value="me" selected>Waiting on me<\/option>/);
  t.match(me.body, 'href="/portal/tickets?tab=resolved&amp;status=me"', 'tabs keep the other filters');
});

t.test('rows show the customer label, help topic, last replier; never the internal status name', async (t) => {
  const d = await portalDesk(t);
  const cora = await loggedIn(d.app, d.cora.email);
  const { body } = await list(t, cora, '');
  for (const text of ['Awaiting your reply', 'Being looked into', 'Received', 'General', 'Sam Staff', '#' + d.c.received]) t.match(body, text);
  for (const text of ['Waiting on Customer', 'Technical Team', '>New<']) t.notMatch(body, text, `no internal name: ${text}`);
  for (const col of ['Subject', 'Ticket ID', 'Priority', 'Help Topic', 'Created', 'Last Replier', 'Last Activity', 'Status']) {
    t.match(body, `<th scope="col">${col}</th>`);
  }
  t.notMatch(body, '<th scope="col">From</th>', 'no From column when all tickets are mine');
  t.notMatch(body, 'cora internal');
  const resolved = await list(t, cora, 'tab=resolved');
  t.match(resolved.body, 'Withdrawn');
  t.notMatch(resolved.body, 'Cancelled by staff');
});

t.test('views: my tickets, CC\'d, and the organisation only where it shares or for its managers', async (t) => {
  const d = await portalDesk(t);
  const cora = await loggedIn(d.app, d.cora.email);

  const ccd = await list(t, cora, 'view=cc');
  t.same(ccd.ids, [d.annaCc], 'the CC view: tickets of others I am CC\'d on');
  t.match(ccd.body, '<th scope="col">From</th>');
  t.match(ccd.body, 'Anna Acme');

  const page = await list(t, cora, '');
  t.notMatch(page.body, 'value="org"', 'Acme does not share: the organisation view is not offered');
  t.match(page.body, 'value="cc"');
  t.equal((await cora.get('/portal/tickets?view=org')).statusCode, 404, 'and asking for it anyway is not found');
  t.equal((await cora.get(`/portal/tickets/${d.anna1}`)).statusCode, 404, 'nor is a colleague\'s ticket');

  const carl = await loggedIn(d.app, d.carl.email);
  const carlPage = await list(t, carl, '');
  t.match(carlPage.body, /<option value="org">My organisation&#39;s tickets<\/option>|<option value="org">My organisation's tickets<\/option>/,
    'an organisation manager is offered the organisation view');
  const org = await list(t, carl, 'view=org');
  t.same(org.ids, sorted([d.c.received, d.c.waiting, d.c.onHold, d.anna1, d.annaCc]), 'every Acme ticket that is public, none of Beta');
  t.match(org.body, '<th scope="col">From</th>');
  t.match(org.body, 'Cora Acme');
  t.match(org.body, 'Anna Acme');
  t.notMatch(org.body, d.anna.email, 'the From column shows a name, never an address');
  t.notMatch(org.body, d.cora.email);
  t.same((await list(t, carl, 'view=org&tab=resolved')).ids, sorted([d.c.solved, d.c.closed, d.c.cancelled]));
  t.same((await list(t, carl, '')).ids, [], 'the manager\'s own view holds only what he requested');
  t.equal((await carl.get(`/portal/tickets/${d.anna1}`)).statusCode, 200, 'the ticket page agrees with the list');
  t.equal((await carl.get(`/portal/tickets/${d.c.internal}`)).statusCode, 404, 'internal tickets stay hidden from managers too');

  const bea = await loggedIn(d.app, d.bea.email);
  t.same((await list(t, bea, 'view=org')).ids, [d.bea1], 'Beta shares: any member gets the organisation view');
  const betaResolved = await list(t, bea, 'view=org&tab=resolved');
  t.same(betaResolved.ids, [d.ben1]);
  t.match(betaResolved.body, 'Ben Beta');

  const dan = await loggedIn(d.app, d.dan.email);
  t.equal((await dan.get('/portal/tickets?view=org')).statusCode, 404, 'no organisation, no organisation view');
  t.same((await list(t, dan, '')).ids, [d.dan1]);
});

t.test('unknown values are refused with 400', async (t) => {
  const d = await portalDesk(t);
  const cora = await loggedIn(d.app, d.cora.email);
  for (const query of ['tab=open', 'view=all', 'view=MINE', 'status=pending', 'status=category:pending', 'sort=priority', 'sort=subject',
    'after=garbage', 'after=WzFd', `q=${'x'.repeat(101)}`, 'q=a&q=b', 'tab=opened&tab=resolved']) {
    t.equal((await cora.get(`/portal/tickets?${query}`)).statusCode, 400, query);
  }
  t.equal((await cora.get('/portal/tickets?utm_source=mail')).statusCode, 200, 'unknown names are ignored');
});

t.test('staff and visitors do not get the customer list', async (t) => {
  const d = await portalDesk(t);
  const agent = await loggedIn(d.app, d.staff.email);
  t.equal((await agent.get('/portal/tickets')).statusCode, 403);
  const visitor = await d.app.inject({ method: 'GET', url: '/portal/tickets?view=cc' });
  t.equal(visitor.statusCode, 303);
  t.match(visitor.headers.location, '/login?next=');
});

t.test('a GET form without JS; with htmx the same URL answers with just the table', async (t) => {
  const d = await portalDesk(t);
  const cora = await loggedIn(d.app, d.cora.email);
  const full = await cora.get('/portal/tickets?status=me');
  t.match(full.body, '<form class="filters" role="search" method="get" action="/portal/tickets"');
  t.match(full.body, 'hx-get="/portal/tickets" hx-target="#ticket-table"');
  t.match(full.body, 'hx-push-url="true"');
  t.match(full.body, '<!DOCTYPE html>');
  const partial = await cora.get('/portal/tickets?status=me', { 'HX-Request': 'true', 'HX-Request-Type': 'partial' });
  t.equal(partial.statusCode, 200);
  t.match(partial.headers.vary, 'HX-Request-Type');
  t.ok(partial.body.trimStart().startsWith('<div id="ticket-table">'), 'only the table fragment');
  t.notMatch(partial.body, '<form');
  t.same(ticketIdsIn(partial.body), [d.c.waiting]);
  t.match(partial.body, 'Opened <span class="count">(1)</span>', 'the tabs and their counts come with the table');
});

t.test('a remembered My tickets page is never another customer\'s, and shows every change at once', async (t) => {
  // The page and counts without a search are remembered until the database changes (portal/my-tickets.ts).
  const d = await portalDesk(t);
  const cora = await loggedIn(d.app, d.cora.email);
  const anna = await loggedIn(d.app, d.anna.email);
  const carl = await loggedIn(d.app, d.carl.email);
  const coraOpened = sorted([d.c.received, d.c.waiting, d.c.onHold]);
  t.same((await list(t, cora, '')).ids, coraOpened);
  t.same((await list(t, cora, '')).ids, coraOpened, 'the same page again');
  t.same((await list(t, anna, '')).ids, sorted([d.anna1, d.annaCc]), 'Anna right after: only her own tickets');
  t.same((await list(t, carl, 'view=org')).ids, sorted([d.c.received, d.c.waiting, d.c.onHold, d.anna1, d.annaCc]), 'the manager: the organisation\'s');
  t.equal((await anna.get('/portal/tickets?view=org')).statusCode, 404, 'a member of an organisation that does not share: not offered');

  await d.db.updateTable('tickets').set({ status_id: 4 }).where('id', '=', d.c.waiting).execute();
  const after = await list(t, cora, '');
  t.same(after.ids, sorted([d.c.received, d.c.onHold]), 'solved: gone from Opened on the next page');
  t.equal(tabCount(after.body, 'Opened'), 2);
  t.equal(tabCount(after.body, 'Resolved'), 4, 'and counted in Resolved');
});
