import t from 'tap';
import { nowIso } from '../../src/lib/time.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD, ticketIdsIn } from '../helpers/factories.js';

// The list's rows and menus are remembered until the database changes (src/agent/list-data.ts):
// what one person was shown is never what another sees, and a change shows on the next page.

t.test('a remembered list page is never another person\'s, and shows every change', async (t) => {
  const { db, app } = await buildTestDesk(t);
  const fibre = await db.insertInto('groups').values({ name: 'Fibre Co', is_restricted: 1, created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  const ada = await makeUser(db, 'agent', { name: 'Ada' });
  const fred = await makeUser(db, 'agent', { name: 'Fred' });
  await db.insertInto('group_members').values({ group_id: fibre.id, user_id: fred.id }).execute();
  const customer = await makeUser(db, 'customer', { name: 'Cora' });
  const [desk, fibreTicket] = await makeTickets(db, 2, (i) => [
    { subject: 'Printer on fire', requesterId: customer.id, statusId: 2 },
    { subject: 'Fibre cut', requesterId: customer.id, statusId: 2, groupId: fibre.id },
  ][i]!);
  const adaClient = new Client(app);
  await adaClient.login(ada.email, PASSWORD);
  const fredClient = new Client(app);
  await fredClient.login(fred.email, PASSWORD);

  const all = '/agent/tickets?view=all';
  t.same(ticketIdsIn(await adaClient.page(all)).sort(), [desk, fibreTicket].sort());
  t.same(ticketIdsIn(await adaClient.page(all)).sort(), [desk, fibreTicket].sort(), 'the same page again');
  t.same(ticketIdsIn(await fredClient.page(all)), [fibreTicket], 'the restricted agent right after: only their group\'s ticket');
  t.same(ticketIdsIn(await adaClient.page(all)).sort(), [desk, fibreTicket].sort(), 'and Ada still sees both');

  const before = await adaClient.page(all);
  t.match(before, 'Printer on fire');
  t.match(before, /<tr class="unread">/, 'never opened: unread');
  await db.updateTable('tickets').set({ subject: 'Printer fixed' }).where('id', '=', desk!).execute();
  const renamed = await adaClient.page(all);
  t.match(renamed, 'Printer fixed', 'a change to a ticket shows on the next page');
  t.notMatch(renamed, 'Printer on fire');

  await adaClient.get(`/agent/tickets/${desk}`);
  const seen = await adaClient.page(all);
  t.match(seen, new RegExp(`<tr class="">\\n<td><input type="checkbox" name="ids" value="${desk}"`), 'opened: no longer unread for Ada');
  t.match(await fredClient.page(all), new RegExp(`<tr class="unread">\\n<td><input type="checkbox" name="ids" value="${fibreTicket}"`));

  t.notMatch(await adaClient.page(all), 'Ada\'s urgent');
  const saved = await adaClient.post('/agent/views', { name: 'Ada\'s urgent', query: 'priority=urgent' });
  t.equal(saved.statusCode, 303);
  t.match(await adaClient.page(all), 'Ada&#39;s urgent', 'a new saved view is in her menu at once');
  t.notMatch(await fredClient.page(all), 'Ada&#39;s urgent', 'and not in anyone else\'s');
});

t.test('the filters and the bulk actions, written once, follow the filter, the language and every change', async (t) => {
  const { db, app } = await buildTestDesk(t);
  const ada = await makeUser(db, 'agent', { name: 'Ada' });
  const customer = await makeUser(db, 'customer', { name: 'Cora' });
  await makeTickets(db, 2, () => ({ subject: 'Printer on fire', requesterId: customer.id, statusId: 2 }));
  const client = new Client(app);
  await client.login(ada.email, PASSWORD);
  const selected = (html: string, select: string) => new RegExp(`<select id="${select}"[^]*?</select>`).exec(html)?.[0].match(/<option value="([^"]*)" selected>/)?.[1];

  t.equal(selected(await client.page('/agent/tickets?view=all&priority=high'), 'filter-priority'), 'high');
  t.equal(selected(await client.page('/agent/tickets?view=all&priority=low'), 'filter-priority'), 'low', 'another filter: its own choice');
  t.equal(selected(await client.page('/agent/tickets?view=all&priority=high'), 'filter-priority'), 'high', 'and back');
  t.equal(selected(await client.page('/agent/tickets?view=all'), 'bulk-assignee'), '', 'bulk: no change chosen');

  const bruno = await makeUser(db, 'agent', { name: 'Bruno' });
  await db.updateTable('users').set({ locale: 'de' }).where('id', '=', bruno.id).execute();
  const brunoClient = new Client(app);
  await brunoClient.login(bruno.email, PASSWORD);
  await client.page('/agent/tickets?view=all');
  const german = await brunoClient.page('/agent/tickets?view=all');
  t.match(german, '<legend>Mit den ausgewählten Tickets</legend>', 'in German for an agent who reads German, right after');
  t.match(german, '<label for="filter-priority">Priorität</label>');
  const english = await client.page('/agent/tickets?view=all');
  t.match(english, '<legend>With the selected tickets</legend>', 'and in English again');
  t.match(english, '<label for="filter-priority">Priority</label>');

  t.notMatch(english, 'Bea New');
  const bea = await makeUser(db, 'agent', { name: 'Bea New' });
  const after = await client.page('/agent/tickets?view=all');
  t.match(after, new RegExp(`<select id="bulk-assignee"[^]*?<option value="${bea.id}">Bea New</option>`), 'a new agent is offered by the bulk form at once');
  t.match(after, new RegExp(`<select id="filter-assignee"[^]*?<option value="${bea.id}">Bea New</option>`), 'and by the filters');

  const [first] = ticketIdsIn(after);
  const refused = await client.post('/agent/tickets/bulk', { back: 'view=all', ids: String(first), priority: 'high', status: 'x' });
  t.equal(refused.statusCode, 422, 'a bulk action refused');
  t.equal(selected(refused.body, 'bulk-priority'), 'high', 'shows the choices sent, not the form written once');
  t.equal(selected(await client.page('/agent/tickets?view=all'), 'bulk-priority'), '', 'and the next page no choice');
});
