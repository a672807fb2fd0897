import t from 'tap';
import { onPostgres } from '../helpers/database.js';
import { makeMessages, makeTickets, makeUser, ticketIdsIn } from '../helpers/factories.js';
import { desk, loggedIn, makeCustomer, makeOrg, message, tabCount, ticket } from './my-tickets-helpers.js';

const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

t.test('search finds words in subjects and public messages, never in notes or other customers\' tickets', async (t) => {
  const d = await desk(t);
  const { db } = d;
  const cora = await makeCustomer(db, 'Cora');
  const dan = await makeCustomer(db, 'Dan');
  const staff = await makeUser(db, 'agent');
  const printer = await ticket(db, { requesterId: cora.id, statusId: 2, subject: 'Printer jammed on floor 3' });
  const replied = await ticket(db, { requesterId: cora.id, statusId: 2, subject: 'Strange noise' });
  await message(db, replied, staff.id, 'reply', 'Please check the flux capacitor first.');
  const updated = await ticket(db, { requesterId: cora.id, statusId: 4, subject: 'Service visit' });
  await message(db, updated, staff.id, 'update', 'Technician replaced the fuser unit.');
  const noted = await ticket(db, { requesterId: cora.id, statusId: 2, subject: 'Invoice' });
  await message(db, noted, staff.id, 'note', 'CANARY-zebra: customer is difficult');
  await message(db, noted, cora.id, 'reply', 'Where is my invoice?');
  const percent = await ticket(db, { requesterId: cora.id, statusId: 2, subject: 'Discount of 100% not applied' });
  const dansPrinter = await ticket(db, { requesterId: dan.id, statusId: 2, subject: 'Printer on fire' });
  await message(db, dansPrinter, staff.id, 'reply', 'flux capacitor again');

  const client = await loggedIn(d.app, cora.email);
  const search = async (q: string, extra = '') => {
    const res = await client.get(`/portal/tickets?q=${encodeURIComponent(q)}${extra}`);
    t.equal(res.statusCode, 200, q);
    return { ids: sorted(ticketIdsIn(res.body)), body: res.body };
  };
  t.same((await search('printer')).ids, [printer], 'in the subject, any case; not Dan\'s printer');
  t.same((await search('FLUX Capacitor')).ids, [replied], 'in a public reply; not Dan\'s reply');
  t.same((await search('fuser', '&tab=resolved')).ids, [updated], 'in a public update');
  const fuser = await search('fuser');
  t.same(fuser.ids, [], 'the Opened tab has no match...');
  t.equal(tabCount(fuser.body, 'Resolved'), 1, '...and the Resolved tab counts it');
  t.match(fuser.body, 'No tickets match your search.');
  const canary = await search('zebra');
  t.same(canary.ids, [], 'internal notes are never searched');
  t.equal(tabCount(canary.body, 'Opened'), 0);
  t.equal(tabCount(canary.body, 'Resolved'), 0);
  t.notMatch(canary.body, 'CANARY');
  t.same((await search('CANARY')).ids, []);
  t.same((await search('invoice')).ids, [noted], 'the customer\'s own reply on that ticket is public');
  t.same((await search('100%')).ids, [percent], '% is a literal character');
  t.same((await search('0%n')).ids, [], 'and not a wildcard');
  t.same((await search('_')).ids.length, 4, 'one character does not search (it lists everything opened)');
  t.match((await search('x')).body, 'Type at least 2 characters to search.');
  t.same((await search('__')).ids, [], '_ is a literal character');
  const kept = await search('flux', '&view=cc');
  t.same(kept.ids, [], 'the search stays inside the chosen view');
  t.match(kept.body, 'value="flux"', 'the box keeps what was typed');
});

t.test('two customers of two organisations never see each other\'s tickets in the list, counts or search', async (t) => {
  const d = await desk(t);
  const { db } = d;
  const acme = await makeOrg(db, 'Acme', true);
  const beta = await makeOrg(db, 'Beta', true);
  const ann = await makeCustomer(db, 'Ann of Acme', acme, true);
  const bob = await makeCustomer(db, 'Bob of Beta', beta, true);
  const staff = await makeUser(db, 'agent');
  const annTickets = await makeTickets(db, 3, (i) => ({ requesterId: ann.id, organizationId: acme, statusId: i === 2 ? 4 : 2, subject: `Acme secret ${i}` }));
  const bobTickets = await makeTickets(db, 4, (i) => ({ requesterId: bob.id, organizationId: beta, statusId: i === 3 ? 5 : 2, subject: `Beta secret ${i}` }));
  await message(db, bobTickets[0]!, staff.id, 'reply', 'shared-word in Beta');
  await message(db, annTickets[0]!, staff.id, 'reply', 'shared-word in Acme');
  await ticket(db, { requesterId: ann.id, organizationId: acme, statusId: 2, subject: 'Acme internal secret', visibility: 'internal' });

  for (const [who, mine, theirs, opened, resolved, theirName] of [
    [ann, annTickets, bobTickets, 2, 1, 'Bob of Beta'], [bob, bobTickets, annTickets, 3, 1, 'Ann of Acme'],
  ] as const) {
    const client = await loggedIn(d.app, who.email);
    for (const query of ['', 'view=org', 'view=cc', 'tab=resolved', 'view=org&tab=resolved', 'q=secret', 'view=org&q=secret',
      'q=shared-word', 'view=org&q=shared-word', 'view=org&q=secret&tab=resolved']) {
      const res = await client.get(`/portal/tickets?${query}`);
      t.equal(res.statusCode, 200, `${who.name}: ${query}`);
      const ids = ticketIdsIn(res.body);
      t.ok(ids.every((id) => (mine as readonly number[]).includes(id)), `${who.name} sees only their organisation's tickets: ${query}`);
      t.notMatch(res.body, theirName);
      t.notMatch(res.body, 'internal secret');
      for (const id of theirs) t.notMatch(res.body, `#${id}<`);
    }
    const org = await client.get('/portal/tickets?view=org&q=secret');
    t.equal(tabCount(org.body, 'Opened'), opened, `${who.name}: counts only their own organisation`);
    t.equal(tabCount(org.body, 'Resolved'), resolved);
    const word = await client.get('/portal/tickets?view=org&q=shared-word');
    t.equal(ticketIdsIn(word.body).length, 1, `${who.name}: a word in both organisations finds only their own ticket`);
    t.equal(tabCount(word.body, 'Opened'), 1);
    for (const id of theirs) t.equal((await client.get(`/portal/tickets/${id}`)).statusCode, 404, `${who.name} cannot open #${id}`);
  }
});

t.test('a search over a large scope: every match of a rare word on SQLite, the newest 5,000 tickets on PostgreSQL', async (t) => {
  const d = await desk(t);
  const { db } = d;
  const cora = await makeCustomer(db, 'Cora');
  const ids = await makeTickets(db, 5001, (i) => ({ requesterId: cora.id, statusId: 2,
    subject: i === 0 ? 'ancient needle' : i === 5000 ? 'fresh needle' : `hay ${i}` }));
  const client = await loggedIn(d.app, cora.email);
  const res = await client.get('/portal/tickets?q=needle');
  t.equal(res.statusCode, 200);
  if (onPostgres) {
    // Each ticket's stored words are checked, the scope's newest 5,000 (search/customer.ts).
    t.same(ticketIdsIn(res.body), [ids[5000]], 'the newest match is found, the oldest ticket is outside the window');
    t.match(res.body, 'Only your 5,000 most recently active tickets were searched.');
  } else {
    // The index is read once for the word's few matches: the whole scope is searched.
    t.same(ticketIdsIn(res.body), [ids[5000], ids[0]], 'both matches, however old');
    t.notMatch(res.body, 'most recently active', 'nothing was left out, so nothing is said');
    t.equal(tabCount(res.body, 'Opened'), 2, 'and the tab counts both');
  }
  const small = await client.get('/portal/tickets?q=needle&status=me');
  t.equal(small.statusCode, 200);
  t.notMatch(small.body, 'most recently active', 'no notice when the scope is small');
});

t.test('a word in more than 20,000 tickets: a large scope is walked newest first with a bounded count, a small one searched whole', async (t) => {
  const d = await desk(t);
  const { db } = d;
  const cora = await makeCustomer(db, 'Cora');
  const dan = await makeCustomer(db, 'Dan');
  // Dan's three tickets are the desk's oldest, Cora's 20,001 come after: "hay" is in all of them.
  const dans = await makeTickets(db, 3, (i) => ({ requesterId: dan.id, statusId: 2, subject: `hay bale ${i}`, at: `2025-01-0${i + 1}T00:00:00Z` }));
  const coras = await makeTickets(db, 20_001, (i) => ({ requesterId: cora.id, statusId: 2, subject: `hay ${i}` }));
  const big = await (await loggedIn(d.app, cora.email)).get('/portal/tickets?q=hay');
  t.equal(big.statusCode, 200);
  t.equal(ticketIdsIn(big.body)[0], coras.at(-1), 'the newest match comes first');
  t.match(big.body, 'Opened <span class="count">(50+)</span>', 'the count stops at 50 rather than counting every match');
  t.match(big.body, /<p class="pager"><a href="[^"]+after=/, 'and older matches are a page away');
  const small = await (await loggedIn(d.app, dan.email)).get('/portal/tickets?q=hay');
  t.equal(small.statusCode, 200);
  t.same(ticketIdsIn(small.body).sort((a, b) => a - b), dans, 'all three of Dan\'s, though older than the newest 20,000 matches');
  t.match(small.body, 'Opened <span class="count">(3)</span>', 'a small scope\'s count is exact');
});

t.test('a word common in the desk but rare in a large scope: the walk stops, says so, and "Older tickets" goes on to the old match', async (t) => {
  const d = await desk(t);
  const { db } = d;
  const cora = await makeCustomer(db, 'Cora');
  const zed = await makeUser(db, 'customer', { name: 'Zed' });
  // Cora's oldest ticket is her only match; 4,100 newer ones never say it (more than one request walks).
  const coras = await makeTickets(db, 4101, (i) => ({ requesterId: cora.id, statusId: 2, subject: i === 0 ? 'old widget' : `hay ${i}` }));
  // "widget" is in 20,001 of Zed's messages: a common word.
  const [zeds] = await makeTickets(db, 1, { requesterId: zed.id, statusId: 2, subject: 'Elsewhere' });
  await makeMessages(db, Array.from({ length: 20_001 }, (_, i) => ({ ticketId: zeds!, authorId: null, kind: 'reply' as const, text: `widget ${i}`, at: '2026-02-01T00:00:00Z' })));
  const client = await loggedIn(d.app, cora.email);
  let res = await client.get('/portal/tickets?q=widget');
  t.equal(res.statusCode, 200);
  t.same(ticketIdsIn(res.body), [], 'nothing among the newest tickets walked');
  t.match(res.body, 'The search looked at your most recently active tickets first and stopped here.', 'and the customer is told');
  const found: number[] = [...ticketIdsIn(res.body)];
  for (let hops = 0; hops < 3 && found.length === 0; hops++) {
    const next = /<p class="pager"><a href="([^"]+)"/.exec(res.body)?.[1]?.replaceAll('&amp;', '&');
    if (!next) break;
    res = await client.get(next);
    t.equal(res.statusCode, 200);
    found.push(...ticketIdsIn(res.body));
  }
  t.same(found, [coras[0]], 'the old match is found');
});
