import t from 'tap';
import type { Db } from '../../src/db/connect.js';
import type { MessageKind } from '../../src/db/schema.js';
import { makeMessages, makeTickets, makeUser, ticketIdsIn } from '../helpers/factories.js';
import { desk, laterPageIds, loggedIn, makeCustomer, makeOrg } from './my-tickets-helpers.js';

// A word in more than 20,000 messages (SCAN_LIMIT, search/agent-hits.ts), searched by a customer
// whose organisation shares its tickets: on SQLite the scope's tickets are walked in the page's order
// and checked against the index a chunk at a time (portal/search-walk.ts), with tab counts that stop
// at 50 ("50+"); on PostgreSQL every ticket of a scope under 5,000 tickets is checked. Either way,
// what the customer sees is compared with a brute-force reading of the tables.

const COUNT_CAP = 50;
/** Acme tickets whose only match is older than the word's newest 20,000 matches: found all the same. */
const OLD = [5, 7, 15, 1005];
const PUBLIC: MessageKind[] = ['reply', 'update', 'chat'];
const OPENED = [1, 2, 3];
const RESOLVED = [4, 5];

/** Messages straight into the table (the factory, 500 at a time: their ids follow the order given). */
function addMessages(db: Db, rows: { ticketId: number; kind: MessageKind; text: string }[]) {
  return makeMessages(db, rows.map((r) => ({ ticketId: r.ticketId, authorId: null, kind: r.kind, text: r.text, at: '2026-02-01T00:00:00Z' })));
}

/** The tickets of one organisation (and requester) that should be found, newest activity first, from the tables alone. */
async function bruteForce(db: Db, organizationId: number, statusIds: number[], requesterId: number | null) {
  const messages = await db.selectFrom('messages').select(['ticket_id', 'kind']).where('body_text', 'like', '%gadget%').orderBy('id', 'desc').execute();
  const found = new Set(messages.filter((m) => PUBLIC.includes(m.kind)).map((m) => m.ticket_id));
  const subjects = await db.selectFrom('tickets').select('id').where('subject', 'like', '%Gadget%').execute();
  for (const s of subjects) found.add(s.id);
  let scope = db.selectFrom('tickets').select(['id', 'last_activity_at']).where('organization_id', '=', organizationId)
    .where('visibility', '=', 'public').where('binned_at', 'is', null).where('status_id', 'in', statusIds);
  if (requesterId !== null) scope = scope.where('requester_id', '=', requesterId);
  const rows = (await scope.execute()).filter((r) => found.has(r.id));
  rows.sort((a, b) => (a.last_activity_at === b.last_activity_at ? b.id - a.id : a.last_activity_at < b.last_activity_at ? 1 : -1));
  return rows.map((r) => r.id);
}

t.test('an organisation searches a very common word: exactly its public matches, paged and counted, never notes or another organisation\'s tickets', async (t) => {
  const d = await desk(t);
  const { db } = d;
  const acme = await makeOrg(db, 'Acme', true);
  const beta = await makeOrg(db, 'Beta', true);
  const ann = await makeCustomer(db, 'Ann of Acme', acme);
  const amy = await makeCustomer(db, 'Amy of Acme', acme);
  const bob = await makeCustomer(db, 'Bob of Beta', beta);
  const zed = await makeUser(db, 'customer', { name: 'Zed' });
  // 2,050 Acme tickets (more than SCOPE_FIRST: the matches are read first), Ann's 150 of them (her
  // own view starts from her tickets); a third resolved; some with the word in the subject.
  const acmes = await makeTickets(db, 2050, (i) => ({
    requesterId: i < 150 ? ann.id : amy.id, organizationId: acme, statusId: i % 3 === 0 ? 4 : 2,
    subject: i % 100 === 4 ? `Gadget broken ${i}` : `Acme ticket ${i}`,
  }));
  const betas = await makeTickets(db, 20, () => ({ requesterId: bob.id, organizationId: beta, statusId: 2, subject: 'Beta secret' }));
  const [hidden] = await makeTickets(db, 1, { requesterId: ann.id, organizationId: acme, statusId: 2, subject: 'Acme internal', visibility: 'internal' });
  const zeds = await makeTickets(db, 40, () => ({ requesterId: zed.id, statusId: 2, subject: 'Elsewhere' }));

  // Oldest: four Acme tickets whose word is older than the newest 20,001 matches.
  await addMessages(db, OLD.map((i) => ({ ticketId: acmes[i]!, kind: 'reply' as const, text: 'an old gadget' })));
  await addMessages(db, Array.from({ length: 20_000 }, (_, i) => ({ ticketId: zeds[i % 40]!, kind: 'reply' as const, text: `gadget filler ${i}` })));
  // Newest: the word in public messages of every tenth Acme ticket, in a note of others, in Beta's and in the internal ticket.
  await addMessages(db, [
    ...acmes.flatMap((id, i) => (i % 10 === 1 ? [{ ticketId: id, kind: PUBLIC[i % 3]!, text: `the new gadget ${i}` }] : [])),
    ...acmes.flatMap((id, i) => (i % 10 === 2 ? [{ ticketId: id, kind: 'note' as const, text: 'CANARY gadget in a note' }] : [])),
    // Found by the word typed as a prefix ("gadget" finds "gadgets"), as on every search.
    ...acmes.flatMap((id, i) => (i % 50 === 3 ? [{ ticketId: id, kind: 'reply' as const, text: `spare gadgets ${i}` }] : [])),
    ...betas.map((id) => ({ ticketId: id, kind: 'reply' as const, text: 'gadget at Beta' })),
    { ticketId: hidden!, kind: 'reply' as const, text: 'gadget, internal ticket' },
  ]);

  const client = await loggedIn(d.app, ann.email);
  // Every page, following "Older tickets" to the end.
  const pages = async (path: string) => {
    const first = await client.get(path);
    t.equal(first.statusCode, 200, path);
    return { body: first.body, ids: [...ticketIdsIn(first.body), ...await laterPageIds(t, client, first.body, 20)] };
  };
  for (const [name, view, requester] of [['organisation', 'view=org', null], ['her own', '', ann.id]] as const) {
    const opened = await bruteForce(db, acme, OPENED, requester);
    const resolved = await bruteForce(db, acme, RESOLVED, requester);
    t.ok(opened.length > 0 && resolved.length > 0, `${name}: matches on both tabs`);
    const open = await pages(`/portal/tickets?${view}&q=gadget`);
    t.same(open.ids, opened, `${name}: the Opened tab's pages are exactly the brute-force matches, newest first, however old the match`);
    // A walked search counts no further than 50 and says "50+" beyond (both databases).
    const shown = (n: number) => (n <= COUNT_CAP ? String(n) : `${COUNT_CAP}+`);
    t.match(open.body, `Opened <span class="count">(${shown(opened.length)})</span>`, `${name}: the Opened count`);
    t.match(open.body, `Resolved <span class="count">(${shown(resolved.length)})</span>`, `${name}: the Resolved count`);
    t.same((await pages(`/portal/tickets?${view}&tab=resolved&q=gadget`)).ids, resolved, `${name}: the Resolved tab`);
    t.notMatch(open.body, 'CANARY');
    t.notMatch(open.body, 'Beta secret', `${name}: never Beta's tickets`);
    t.notMatch(open.body, 'Acme internal', `${name}: never an internal ticket`);
    if (name === 'organisation') t.ok(OLD.every((i) => opened.includes(acmes[i]!) || resolved.includes(acmes[i]!)), 'the oldest matches are among the expected');
    t.notMatch(open.body, 'stopped here', `${name}: nothing was left out`);
  }
  const theirs = await (await loggedIn(d.app, bob.email)).get('/portal/tickets?view=org&q=gadget');
  t.equal(theirs.statusCode, 200);
  t.same(ticketIdsIn(theirs.body).sort((a, b) => a - b), betas, 'Bob of Beta finds Beta\'s tickets, and only those');
  t.notMatch(theirs.body, 'Acme');
});
