import t from 'tap';
import { makeUser } from '../helpers/factories.js';
import { loggedIn, message, resultIds, search, searchDesk, ticket } from './helpers.js';

const ticketLinks = (html: string) => [...html.matchAll(/href="\/portal\/tickets\/(\d+)"/g)].map((m) => Number(m[1]));

t.test('an agent of a restricted group finds only their group\'s tickets', async (t) => {
  const d = await searchDesk(t);
  const group = (await d.db.insertInto('groups').values({ name: 'Provider', is_restricted: 1, created_at: '2026-01-01T00:00:00Z' })
    .returning('id').executeTakeFirstOrThrow()).id;
  const outsider = await makeUser(d.db, 'agent');
  await d.db.insertInto('group_members').values({ group_id: group, user_id: outsider.id }).execute();
  const theirs = await ticket(d.db, { requesterId: d.customer.id, groupId: group, subject: 'Boiler service' });
  const hidden = await ticket(d.db, { requesterId: d.customer.id, subject: 'Boiler contract' });
  await message(d.db, hidden, d.admin.id, 'note', 'boiler secret');
  const client = await loggedIn(d.app, outsider.email);
  const res = await search(client, 'boiler');
  t.equal(res.statusCode, 200);
  t.same(resultIds(res.body), [theirs]);
  t.notMatch(res.body, 'secret');
  t.equal((await search(client, `#${hidden}`)).statusCode, 200, 'no jump to a ticket out of reach');
  t.same(resultIds((await search(client, `#${hidden}`)).body), []);
  t.same(resultIds((await search(d.client, 'boiler')).body).sort(), [theirs, hidden].sort(), 'an admin finds both');
});

t.test('customers never find internal notes or another customer\'s tickets; agents find the note', async (t) => {
  const d = await searchDesk(t);
  const other = await makeUser(d.db, 'customer', { name: 'Olly Other' });
  const mine = await ticket(d.db, { requesterId: d.customer.id, statusId: 2, subject: 'Heating' });
  await message(d.db, mine, d.admin.id, 'note', 'CANARYWORD customer seems upset');
  await message(d.db, mine, d.admin.id, 'reply', 'A technician comes on Monday.');
  await message(d.db, mine, d.customer.id, 'chat', 'thanks, the radiator hisses');
  const theirs = await ticket(d.db, { requesterId: other.id, statusId: 2, subject: 'Heating too' });
  await message(d.db, theirs, other.id, 'reply', 'technician never came');

  const agent = await search(d.client, 'canaryword');
  t.same(resultIds(agent.body), [mine], 'the agent finds the note');
  t.match(agent.body, 'Internal note');

  const customer = await loggedIn(d.app, d.customer.email);
  const portal = async (q: string) => customer.get(`/portal/tickets?q=${encodeURIComponent(q)}`);
  const canary = await portal('canaryword');
  t.equal(canary.statusCode, 200);
  t.same(ticketLinks(canary.body), [], 'zero results for the customer');
  t.notMatch(canary.body, /CANARYWORD|upset|<mark>/, 'and nothing of the note on the page (the box keeps the lower-case word typed)');
  t.same(ticketLinks((await portal('canary')).body), [], 'not by prefix either');
  t.same(ticketLinks((await portal('technician')).body), [mine], 'public replies are found, not the other customer\'s');
  t.same(ticketLinks((await portal('radiator')).body), [mine], 'chat messages are public');
  t.same(ticketLinks((await portal('heating')).body), [mine], 'subjects');
  t.same(ticketLinks((await portal('Olly')).body), [], 'requester names are not customer-searchable');
  for (const q of ['"', 'AND', '*', '-', 'NEAR(', '{subject}:x', '#1']) t.equal((await portal(q)).statusCode, 200, q);
  t.equal((await customer.get('/agent/search?q=heating')).statusCode, 403, 'the agent search is for staff');
});
