import t from 'tap';
import { makeTickets, ticketIdsIn } from '../helpers/factories.js';
import { desk, loggedIn, makeCustomer, makeOrg } from './my-tickets-helpers.js';

t.test('the portal home: the two entries, active services, recent tickets; no help text until one is set', async (t) => {
  const d = await desk(t);
  const { db } = d;
  const acme = await makeOrg(db, 'Acme', false);
  const beta = await makeOrg(db, 'Beta', false);
  const cora = await makeCustomer(db, 'Cora', acme);
  const dan = await makeCustomer(db, 'Dan');
  const service = (name: string, fields: { customer_id?: number; organization_id?: number; state?: 'active' | 'ended'; starts_on?: string; ends_on?: string }) =>
    db.insertInto('services').values({ name, created_at: '2026-01-01T00:00:00Z', customer_id: null, organization_id: null, provider_group_id: null,
      starts_on: null, ends_on: null, ...fields }).execute();
  await service('Fibre 500', { customer_id: cora.id, starts_on: '2025-03-01', ends_on: '2027-02-28' });
  await service('Office cleaning', { organization_id: acme, starts_on: '2024-01-15' });
  await service('Old hosting', { customer_id: cora.id, state: 'ended' });
  await service('Beta catering', { organization_id: beta });
  await service('Dan phone line', { customer_id: dan.id });
  const ids = await makeTickets(db, 7, (i) => ({ requesterId: cora.id, statusId: i === 6 ? 4 : 1, subject: `Cora ticket ${i}` }));
  await makeTickets(db, 1, { requesterId: dan.id, subject: 'Dan ticket' });

  const client = await loggedIn(d.app, cora.email);
  const home = await client.get('/portal');
  t.equal(home.statusCode, 200);
  t.match(home.body, '<a href="/portal/tickets/new">Submit a ticket</a>');
  t.match(home.body, '<a href="/portal/tickets">My tickets</a>');
  for (const text of ['Fibre 500', '2025-03-01', '2027-02-28', 'Office cleaning', '2024-01-15', 'No end date']) t.match(home.body, text);
  t.match(home.body, '<time datetime="2025-03-01">1 Mar 2025</time>', 'a date as the viewer\'s language writes it');
  for (const text of ['Old hosting', 'Beta catering', 'Dan phone line']) t.notMatch(home.body, text, `not shown: ${text}`);
  t.same(ticketIdsIn(home.body), ids.slice(2).reverse(), 'the five most recent tickets, newest first, solved ones included');
  t.match(home.body, 'Solved', 'with their customer labels');
  t.notMatch(home.body, 'Dan ticket');
  t.notMatch(home.body, 'Before you submit a ticket', 'no help text section while none is set');

  const danHome = await (await loggedIn(d.app, dan.email)).get('/portal');
  t.equal(danHome.statusCode, 200);
  t.match(danHome.body, 'Dan phone line');
  t.notMatch(danHome.body, 'Fibre 500');
  const lonely = await makeCustomer(db, 'Lonely');
  const empty = await (await loggedIn(d.app, lonely.email)).get('/portal');
  t.match(empty.body, 'You have no active services.');
  t.match(empty.body, 'You have no tickets yet.');
});

t.test('the operator\'s help text is shown as Markdown, with raw HTML kept as text', async (t) => {
  const d = await desk(t);
  const cora = await makeCustomer(d.db, 'Cora');
  await d.db.insertInto('settings').values({ key: 'portal.help_text',
    value: '**Restart** the router first.\n\n- check the cables\n\n<script>alert(1)</script> [status](https://status.example.test)' }).execute();
  const home = await (await loggedIn(d.app, cora.email)).get('/portal');
  t.equal(home.statusCode, 200);
  t.match(home.body, 'Before you submit a ticket');
  t.match(home.body, '<strong>Restart</strong> the router first.');
  t.match(home.body, '<li>check the cables</li>');
  t.match(home.body, 'href="https://status.example.test"');
  t.notMatch(home.body, '<script>alert(1)</script>');
  t.match(home.body, '&lt;script&gt;');

  await d.db.updateTable('settings').set({ value: '   ' }).where('key', '=', 'portal.help_text').execute();
  t.notMatch(await (await loggedIn(d.app, cora.email)).page('/portal'), 'Before you submit a ticket', 'blank counts as not set');
});
