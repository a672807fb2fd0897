// A word in more than SCAN_LIMIT (20,000) tickets and messages alike: the results are the ticket hits
// newest first, and a page reads only as many of them as it shows (search/agent.ts `rank`). Each shown
// ticket's excerpt is its newest matching message, even one older than the newest RANK_WINDOW (400)
// message matches; the scope, the filters and the tags still apply. Checked against the tables. And a
// word rare in the tickets (ranked) but common in the messages: its ticket hits get the same excerpts.
import t from 'tap';
import type { Db } from '../../src/db/connect.js';
import { makeMessages, makeTickets, makeUser } from '../helpers/factories.js';
import { loggedIn, resultIds, search, searchDesk } from './helpers.js';

const TICKETS = 20_050;

/** The group's tickets, binned ones and the tag: the newest 300 tickets carry the variety. */
async function desk(t: Parameters<typeof searchDesk>[0]) {
  const d = await searchDesk(t);
  const group = (await d.db.insertInto('groups').values({ name: 'Provider', is_restricted: 1, created_at: '2026-01-01T00:00:00Z' })
    .returning('id').executeTakeFirstOrThrow()).id;
  const provider = await makeUser(d.db, 'agent', { name: 'Pia Provider' });
  await d.db.insertInto('group_members').values({ group_id: group, user_id: provider.id }).execute();
  const ids = await makeTickets(d.db, TICKETS, (i) => ({
    // "widget": in a few subjects only (ranked by bm25), but in every message below.
    requesterId: d.customer.id, subject: `Gadget ${i}${i >= TICKETS - 300 && i % 2 === 0 ? ' widget' : ''}`, groupId: i % 3 === 0 ? group : null,
  }));
  const newest = ids.slice(-300);
  const binned = newest.filter((_, i) => i % 7 === 3);
  await d.db.updateTable('tickets').set({ binned_at: '2026-03-01T00:00:00Z' }).where('id', 'in', binned).execute();
  const { id: tagId } = await d.db.insertInto('tags').values({ name: 'billing' }).returning('id').executeTakeFirstOrThrow();
  const billing = newest.filter((_, i) => i % 5 === 1);
  await d.db.insertInto('ticket_tags').values(billing.map((ticket_id) => ({ ticket_id, tag_id: tagId }))).execute();
  // Oldest first: 20,000 matches on old tickets, then each of the newest tickets' own match (an
  // older one first), then 500 newer matches on old tickets: theirs are above the floor, below the window.
  const filler = (n: number, from: number) => Array.from({ length: n }, (_, i) => ({ ticketId: ids[(from + i) % 1000]!, authorId: null, text: `gadget widget filler ${from + i}` }));
  await makeMessages(d.db, filler(20_000, 0));
  await makeMessages(d.db, newest.map((ticketId) => ({ ticketId, authorId: null, text: `An older gadget widget of ${ticketId}` })));
  await makeMessages(d.db, newest.map((ticketId) => ({ ticketId, authorId: null, kind: 'note' as const, text: `The gadget widget excerpt of ${ticketId}` })));
  await makeMessages(d.db, newest.map((ticketId) => ({ ticketId, authorId: null, text: `No match for ${ticketId}` })));
  await makeMessages(d.db, filler(500, 20_000));
  return { ...d, group, provider, ids, binned, billing };
}

/** The tickets in reach, newest first, from the tables alone. */
async function expected(db: Db, keep: (id: number) => boolean, groupId?: number, subject = 'Gadget %') {
  let q = db.selectFrom('tickets').select('id').where('binned_at', 'is', null).where('subject', 'like', subject);
  if (groupId !== undefined) q = q.where('group_id', '=', groupId);
  return (await q.orderBy('id', 'desc').execute()).map((r) => r.id).filter(keep);
}

t.test('a word common in both indexes: its ticket hits newest first, page by page, each with its newest matching message', async (t) => {
  const d = await desk(t);
  const all = await expected(d.db, () => true);
  const first = await search(d.client, 'gadget');
  t.equal(first.statusCode, 200);
  t.same(resultIds(first.body), all.slice(0, 20), 'the newest twenty tickets in scope, binned ones left out');
  for (const id of all.slice(0, 20)) t.match(first.body, `excerpt of ${id}`, `#${id}: its newest match, older than the newest 400, is the excerpt`);
  t.match(first.body, 'href="/agent/search?q=gadget&amp;page=2"', 'a More link');
  const third = await d.client.get('/agent/search?q=gadget&page=3');
  t.equal(third.statusCode, 200);
  t.same(resultIds(third.body), all.slice(40, 60), 'page three continues where page two ends');
  for (const id of all.slice(40, 60)) t.match(third.body, `excerpt of ${id}`);
});

t.test('with a tag and in a restricted scope, the same walk keeps only what the filters and the scope allow', async (t) => {
  const d = await desk(t);
  const billing = new Set(d.billing);
  const tagged = await expected(d.db, (id) => billing.has(id));
  const res = await search(d.client, 'tag:billing gadget');
  t.equal(res.statusCode, 200);
  t.same(resultIds(res.body), tagged.slice(0, 20), 'the newest tagged tickets');
  for (const id of tagged.slice(0, 20)) t.match(res.body, `excerpt of ${id}`);

  const provider = await loggedIn(d.app, d.provider.email);
  const theirs = await expected(d.db, () => true, d.group);
  const own = await search(provider, 'gadget');
  t.equal(own.statusCode, 200);
  t.same(resultIds(own.body), theirs.slice(0, 20), 'a restricted agent: the newest of the group\'s tickets only');
  const taggedTheirs = theirs.filter((id) => billing.has(id));
  const both = await search(provider, 'tag:billing gadget');
  t.equal(both.statusCode, 200);
  t.same(resultIds(both.body), taggedTheirs.slice(0, 20), 'and with the tag, tickets with both');
  for (const id of taggedTheirs.slice(0, 20)) t.match(both.body, `excerpt of ${id}`);
});

t.test('a word rare in the tickets but common in the messages: the ticket hits first, each with its newest matching message', async (t) => {
  const d = await desk(t);
  const widgets = await expected(d.db, () => true, undefined, '% widget');
  t.ok(widgets.length > 40, `enough ticket hits for two pages (${widgets.length})`);
  const seen: number[] = [];
  for (const page of [1, 2]) {
    const res = await d.client.get(`/agent/search?q=widget&page=${page}`);
    t.equal(res.statusCode, 200);
    const ids = resultIds(res.body);
    t.equal(ids.length, 20, `page ${page} is full`);
    t.ok(ids.every((id) => widgets.includes(id)), `page ${page}: subject matches only (message-only tickets rank after them)`);
    for (const id of ids) t.match(res.body, `excerpt of ${id}`, `#${id}: its newest matching message is the excerpt`);
    seen.push(...ids);
  }
  t.equal(new Set(seen).size, 40, 'no ticket on both pages');
});
