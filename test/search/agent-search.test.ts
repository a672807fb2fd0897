import t from 'tap';
import { makeUser } from '../helpers/factories.js';
import { message, resultIds, search, searchDesk, ticket } from './helpers.js';

t.test('a subject match ranks above a passing mention; phrases are exact; the last word is a prefix', async (t) => {
  const d = await searchDesk(t);
  const requesterId = d.customer.id;
  const subject = await ticket(d.db, { requesterId, subject: 'Printer broken' });
  const mention = await ticket(d.db, { requesterId, subject: 'Office move' });
  await message(d.db, mention, requesterId, 'reply', `We are moving desks next week. ${'Lots of boxes and cables to sort out first. '.repeat(8)}The printer goes too.`);
  const phrase = await ticket(d.db, { requesterId, subject: 'Jam' });
  await message(d.db, phrase, requesterId, 'reply', 'There is a paper jam in tray two.');
  const scattered = await ticket(d.db, { requesterId, subject: 'Supplies' });
  await message(d.db, scattered, requesterId, 'reply', 'Order paper, and jam for the kitchen.');

  t.same(resultIds((await search(d.client, 'printer')).body), [subject, mention], 'the subject match first');
  t.same(resultIds((await search(d.client, '"paper jam"')).body), [phrase], 'a phrase matches the words in order only');
  t.same(resultIds((await search(d.client, 'paper jam')).body).sort(), [phrase, scattered].sort(), 'loose words match anywhere');
  t.same(resultIds((await d.client.get('/agent/search?q=print&live=1')).body), [subject, mention], 'while typing, the last word is a prefix');
  t.same(resultIds((await search(d.client, 'print')).body), [], 'a submitted search asks for whole words');
  t.same(resultIds((await search(d.client, '"print"')).body), [], 'a quoted word is not');
});

t.test('filters narrow the search, and a filter naming nothing says so', async (t) => {
  const d = await searchDesk(t);
  const other = await makeUser(d.db, 'agent', { name: 'Olga Other' });
  const acme = (await d.db.insertInto('organizations').values({ name: 'Acme Corp', created_at: '2026-01-01T00:00:00Z' })
    .returning('id').executeTakeFirstOrThrow()).id;
  const approval = (await d.db.insertInto('ticket_types').values({ name: 'Domain approval', created_at: '2026-01-01T00:00:00Z', initial_status_id: null, default_group_id: null, retired_at: null })
    .returning('id').executeTakeFirstOrThrow()).id;
  const requesterId = d.customer.id;
  const mineOpen = await ticket(d.db, { requesterId, subject: 'router down', statusId: 2, assigneeId: d.admin.id });
  const othersOpen = await ticket(d.db, { requesterId, subject: 'router slow', statusId: 2, assigneeId: other.id });
  const solved = await ticket(d.db, { requesterId, subject: 'router fixed', statusId: 4, organizationId: acme });
  const typed = await ticket(d.db, { requesterId, subject: 'router domain', typeId: approval });

  const ids = async (q: string) => resultIds((await search(d.client, q)).body).sort((a, b) => a - b);
  t.same(await ids('router'), [mineOpen, othersOpen, solved, typed]);
  t.same(await ids('router status:solved'), [solved], 'status by category');
  t.same(await ids('router status:Open'), [mineOpen, othersOpen], 'status by name');
  t.same(await ids('router assignee:me'), [mineOpen]);
  t.same(await ids('assignee:"Olga Other"'), [othersOpen], 'an agent by name, filters alone list tickets');
  t.same(await ids('router assignee:none'), [solved, typed]);
  t.same(await ids('router type:"Domain approval"'), [typed]);
  t.same(await ids('router org:acme'), [solved], 'an organisation by the start of its name');
  const unknown = await search(d.client, 'router status:pendng');
  t.equal(unknown.statusCode, 200);
  t.match(unknown.body, 'There is no status called “pendng”.');
  t.same(resultIds(unknown.body), []);
});

t.test('#123 opens the ticket; while typing it is only a result; out of reach it is no result', async (t) => {
  const d = await searchDesk(t);
  const id = await ticket(d.db, { requesterId: d.customer.id, subject: 'Jump here' });
  const jump = await search(d.client, `#${id}`);
  t.equal(jump.statusCode, 303);
  t.equal(jump.headers.location, `/agent/tickets/${id}`);
  const htmx = await search(d.client, `#${id}`, { 'hx-request': 'true', 'hx-request-type': 'partial' });
  t.equal(htmx.headers['hx-location'], `/agent/tickets/${id}`, 'htmx follows with HX-Location');
  const live = await d.client.get(`/agent/search?q=%23${id}&live=1`, { 'hx-request': 'true', 'hx-request-type': 'partial' });
  t.equal(live.statusCode, 200);
  t.same(resultIds(live.body), [id], 'search as you type shows it instead of leaving the page');
  const missing = await search(d.client, '#999999');
  t.equal(missing.statusCode, 200);
  t.match(missing.body, 'No tickets match your search.');
});

t.test('the page works as a plain GET form; htmx gets only the results', async (t) => {
  const d = await searchDesk(t);
  const id = await ticket(d.db, { requesterId: d.customer.id, subject: 'Wifi keeps dropping' });
  const list = await d.client.get('/agent/tickets');
  t.match(list.body, /<form class="topbar-search" role="search" method="get" action="\/agent\/search">/, 'every agent page has the search box');
  const empty = await d.client.get('/agent/search');
  t.equal(empty.statusCode, 200);
  t.match(empty.body, /<form class="search-form" role="search" method="get" action="\/agent\/search">/);
  t.match(empty.body, 'Type words to find');
  const full = await search(d.client, 'wifi');
  t.match(full.body, '<html');
  t.match(full.body, 'value="wifi"', 'the box keeps what was typed');
  t.same(resultIds(full.body), [id]);
  t.match(full.body, '<mark>Wifi</mark> keeps dropping');
  const partial = await search(d.client, 'wifi', { 'hx-request': 'true', 'hx-request-type': 'partial' });
  t.equal(partial.statusCode, 200);
  t.notMatch(partial.body, '<html');
  t.match(partial.body, /^<div id="search-results"/);
  t.same(resultIds(partial.body), [id]);
  t.match(partial.headers.vary, 'HX-Request-Type');
});

t.test('snippets escape the message and mark the term; notes are labelled', async (t) => {
  const d = await searchDesk(t);
  const id = await ticket(d.db, { requesterId: d.customer.id, subject: 'Weird page' });
  await message(d.db, id, d.customer.id, 'reply', 'The page shows <script>alert("xss")</script> after the banana login.');
  const noted = await ticket(d.db, { requesterId: d.customer.id, subject: 'Other' });
  await message(d.db, noted, d.admin.id, 'note', 'Internal: banana split <b>bold</b> \uE000not a mark\uE001');
  const res = await search(d.client, 'script');
  t.equal(res.statusCode, 200);
  t.match(res.body, '&lt;<mark>script</mark>&gt;alert(&quot;xss&quot;)&lt;/<mark>script</mark>&gt;');
  t.notMatch(res.body, '<script>alert');
  const both = await search(d.client, 'banana');
  t.equal(both.statusCode, 200);
  t.same(resultIds(both.body).sort(), [id, noted].sort());
  t.match(both.body, /<span class="badge badge-internal">Internal note<\/span> Internal: <mark>banana<\/mark> split &lt;b&gt;bold&lt;\/b&gt; \uE000not a mark\uE001/);
  t.notMatch(both.body, /<mark>\W*not a mark/, 'characters that look like markers in the text never become markup');
});

t.test('hostile or odd queries answer 200 (or a clear 400), never 500', async (t) => {
  const d = await searchDesk(t);
  await ticket(d.db, { requesterId: d.customer.id, subject: 'AND OR NOT' });
  for (const q of ['"', '"unbalanced', 'AND', 'OR', 'NOT', '*', '-', '-x', '(', ')', 'NEAR(', '{subject}:x', 'a:b', '^', '\'',
    'status:', 'status:"', 'type:"', '#', '#abc', '#99999999999999', '%', '\\', '""', 'x*y', 'a AND', '\u0000', '<script>']) {
    const res = await search(d.client, q);
    t.equal(res.statusCode, 200, JSON.stringify(q));
  }
  t.same(resultIds((await search(d.client, 'AND')).body).length, 1, 'an operator word is an ordinary word');
  t.equal((await search(d.client, 'x'.repeat(201))).statusCode, 400, 'too long');
  t.match((await search(d.client, 'x'.repeat(201))).body, 'That search is too long.');
  t.equal((await d.client.get('/agent/search?q=a&page=0')).statusCode, 400);
  t.equal((await d.client.get('/agent/search?q=a&page=99')).statusCode, 400);
  t.equal((await d.client.get('/agent/search?q=a&q=b')).statusCode, 400);
});

t.test('results come in pages with a More link', async (t) => {
  const d = await searchDesk(t);
  for (let i = 0; i < 25; i++) await ticket(d.db, { requesterId: d.customer.id, subject: `Laptop ${i}` });
  const first = await search(d.client, 'laptop');
  t.equal(resultIds(first.body).length, 20);
  t.match(first.body, 'href="/agent/search?q=laptop&amp;page=2"');
  const second = await d.client.get('/agent/search?q=laptop&page=2');
  t.equal(second.statusCode, 200);
  t.equal(resultIds(second.body).length, 5);
  t.notMatch(second.body, 'More results');
});

t.test('words are cut and folded the same on both databases: accents, hyphens, the parts of an address', async (t) => {
  const d = await searchDesk(t);
  const bob = await makeUser(d.db, 'customer', { name: 'Bob Börk', email: 'bob.bork@mailhost.example' });
  const cafe = await ticket(d.db, { requesterId: d.customer.id, subject: 'Café order' });
  const mail = await ticket(d.db, { requesterId: d.customer.id, subject: 'Printing' });
  await message(d.db, mail, d.customer.id, 'reply', 'Our e-mail server is down since 3.14 pm.');
  const bobs = await ticket(d.db, { requesterId: bob.id, subject: 'Hello' });

  t.same(resultIds((await search(d.client, 'cafe')).body), [cafe], 'without its accent');
  t.same(resultIds((await search(d.client, 'CAFÉ')).body), [cafe], 'in any case');
  t.same(resultIds((await search(d.client, '"e mail"')).body), [mail], 'a hyphenated word is its parts, in order');
  t.same(resultIds((await search(d.client, 'e-mail')).body), [mail]);
  t.same(resultIds((await search(d.client, '14')).body), [mail], 'a number is cut at its point');
  t.same(resultIds((await search(d.client, 'mailhost')).body), [bobs], 'a part of the requester\'s address');
  t.same(resultIds((await search(d.client, 'bork')).body), [bobs], 'the requester\'s name without its accent, and the address');
});

t.test('the top bar\'s box answers while typing: the first five hits and a link to all of them', async (t) => {
  const d = await searchDesk(t);
  const ids: number[] = [];
  for (let i = 0; i < 7; i++) ids.push(await ticket(d.db, { requesterId: d.customer.id, subject: `Toner ${i} smudges` }));
  const page = await d.client.get('/agent/tickets');
  t.match(page.body, /<input type="search" id="topbar-q" name="q"[^>]*\shx-get="\/agent\/search"[^>]*\shx-vals='\{"live":"1","peek":"1"\}'/, 'the box asks as you type');
  t.match(page.body, /<form class="topbar-search" role="search" method="get" action="\/agent\/search">[\s\S]*?<button type="submit" class="visually-hidden">Search<\/button>/, 'without JavaScript: a plain form with its button');

  const peek = await d.client.get('/agent/search?q=ton&live=1&peek=1', { 'hx-request': 'true', 'hx-request-type': 'partial' });
  t.equal(peek.statusCode, 200);
  t.match(peek.body, /^<div id="topbar-hits"/);
  t.equal((peek.body.match(/href="\/agent\/tickets\/\d+"/g) ?? []).length, 5, 'five hits');
  t.match(peek.body, 'href="/agent/search?q=ton">All results for “ton”</a>', 'and the way to all of them');
  t.match(peek.body, /<mark>Toner<\/mark> \d smudges/, 'the word marked');

  const none = await d.client.get('/agent/search?q=zebra&live=1&peek=1', { 'hx-request': 'true', 'hx-request-type': 'partial' });
  t.match(none.body, 'No tickets match your search.');
  const plain = await d.client.get('/agent/search?q=toner&peek=1');
  t.match(plain.body, '<html', 'asked without htmx: the whole results page');
  t.same(resultIds(plain.body).length, 7);
});
