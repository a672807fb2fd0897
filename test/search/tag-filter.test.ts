// `tag:` in the agent's search (issue 20): a rare tag's tickets drive the walk (on SQLite its
// messages are a set the word's matches are checked against; on PostgreSQL its tickets are read
// first), a commoner one is checked match by match. Either way the page is exactly the word's own
// results that carry the tags, in the same order.
import t from 'tap';
import type { Db } from '../../src/db/connect.js';
import { matchFor, messageHits, ticketHits } from '../../src/search/agent-hits.js';
import { resolveFilters } from '../../src/search/filters.js';
import { parseQuery } from '../../src/search/parse.js';
import { makeMessage } from '../helpers/factories.js';
import { resultIds, search, searchDesk, ticket } from './helpers.js';

async function tag(db: Db, name: string, ticketIds: number[]) {
  const { id } = await db.insertInto('tags').values({ name }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('ticket_tags').values(ticketIds.map((ticket_id) => ({ ticket_id, tag_id: id }))).execute();
  return id;
}

async function desk(t: Parameters<typeof searchDesk>[0]) {
  const d = await searchDesk(t);
  const requesterId = d.customer.id;
  const ids: number[] = [];
  for (let i = 0; i < 18; i++) {
    // Subjects, messages and notes match "router" in differing numbers, so that the ranking has work to do.
    const id = await ticket(d.db, { requesterId, subject: i % 2 === 0 ? `Router ${i} offline` : `Printer ${i}` });
    ids.push(id);
    if (i % 3 === 0) await makeMessage(d.db, id, { authorId: requesterId, text: `The router blinks ${'red '.repeat(i % 4)}again.`, html: '' });
    if (i % 5 === 0) await makeMessage(d.db, id, { authorId: d.admin.id, kind: 'note', text: 'Router replaced under warranty.', html: '' });
    await makeMessage(d.db, id, { authorId: requesterId, text: 'Thanks for the help.', html: '' });
  }
  // legal: on three tickets, fewer than the word's matches (it drives); billing: on most (checked per match).
  const legal = await tag(d.db, 'legal', [ids[0]!, ids[3]!, ids[7]!]);
  const billing = await tag(d.db, 'billing', ids.filter((_, i) => i % 6 !== 1));
  return { ...d, ids, legal, billing };
}

t.test('tag: narrows the word\'s results to the tagged tickets, in the same order, however the walk goes', async (t) => {
  const d = await desk(t);
  const plain = resultIds((await search(d.client, 'router')).body);
  t.ok(plain.length >= 10, `the word alone finds many tickets (${plain.length})`);
  const taggedWith = async (name: string) => new Set((await d.db.selectFrom('ticket_tags').innerJoin('tags', 'tags.id', 'ticket_tags.tag_id')
    .select('ticket_id').where('tags.name', '=', name).execute()).map((r) => r.ticket_id));
  const legal = await taggedWith('legal');
  const billing = await taggedWith('billing');
  t.same(resultIds((await search(d.client, 'tag:legal router')).body), plain.filter((id) => legal.has(id)), 'a rare tag: its tickets, ranked as before');
  t.same(resultIds((await search(d.client, 'tag:billing router')).body), plain.filter((id) => billing.has(id)), 'a common one: the same');
  t.same(resultIds((await search(d.client, 'router tag:billing tag:legal')).body), plain.filter((id) => legal.has(id) && billing.has(id)), 'both: tickets with both');
  t.same(resultIds((await search(d.client, 'tag:legal')).body).sort((a, b) => a - b), [...legal].sort((a, b) => a - b), 'a rare tag alone lists its tickets');
  t.same(resultIds((await search(d.client, 'tag:billing')).body).sort((a, b) => a - b), [...billing].sort((a, b) => a - b), 'a common tag alone too');
});

t.test('driving the walk from the tag\'s tickets or checking the tag per match finds the same hits, ranked the same', async (t) => {
  const d = await desk(t);
  for (const q of ['tag:legal router', 'tag:billing router', 'tag:billing tag:legal router', 'tag:legal router blinks', 'tag:legal thanks']) {
    const parsed = parseQuery(q);
    for (const term of parsed.terms) term.prefix = false;
    const conditions = await resolveFilters(d.db, d.adminActor, parsed.filters);
    const match = matchFor(d.db, parsed.terms)!;
    const terms = parsed.terms.map((term) => matchFor(d.db, [term])!);
    const walked = { ...conditions, rareTag: undefined };
    // `tickets: 0`: fewer than any word's matches, so the tag drives both walks.
    const driven = { ...conditions, rareTag: { id: conditions.tagIds!.includes(d.legal) ? d.legal : d.billing, tickets: 0 } };
    const tickets = await ticketHits(d.db, d.adminActor, walked, match, terms);
    const messages = await messageHits(d.db, d.adminActor, walked, match, terms);
    t.ok(tickets.length + messages.length > 0, `${q}: something to compare`);
    t.same(await ticketHits(d.db, d.adminActor, driven, match, terms), tickets, `${q}: the same ticket hits`);
    t.same(await messageHits(d.db, d.adminActor, driven, match, terms), messages, `${q}: the same message hits`);
  }
  const parsed = parseQuery('tag:legal tag:billing');
  t.same((await resolveFilters(d.db, d.adminActor, parsed.filters)).rareTag, { id: d.legal, tickets: 3 }, 'the rarer of two tags is the one that may drive');
});
