import { CompiledQuery, type KyselyPlugin } from 'kysely';
import t from 'tap';
import type { Db } from '../../src/db/connect.js';
import type { MessageKind } from '../../src/db/schema.js';
import { appWithPlugin } from '../helpers/app.js';
import { onPostgres } from '../helpers/database.js';
import { makeMessages, makeTickets, makeUser, ticketIdsIn } from '../helpers/factories.js';
import { addStatuses, laterPageIds, loggedIn, makeCustomer, makeOrg } from './my-tickets-helpers.js';

// A customer's search for a word in more than 20,000 messages walks her scope's tickets in the
// page's order (SQLite; portal/search-walk.ts). Each tab holds several statuses, and its tickets may
// be few among the scope's: the walk reads each status along (requester_id | organization_id,
// status_id, visibility, last_activity_at, id) and merges them, where it read every ticket of the
// scope in activity order to find the tab's. Here the tab's tickets are spread over all eight
// statuses, their activity times out of id order with ties, and the pages and counts are compared
// with a brute-force reading of the tables (both databases); on SQLite the walk's statements are
// checked for the index they read.

const PUBLIC: MessageKind[] = ['reply', 'update', 'chat'];
const COUNT_CAP = 50;

/**
 * Records every statement the app runs, compiled, in order: built ones and those compiled once
 * (db/reusable.ts), which reach the executor already compiled and so pass no plugin's transformQuery.
 */
function recordStatements(db: Db): CompiledQuery[] {
  const statements: CompiledQuery[] = [];
  const executor = db.getExecutor();
  const execute = executor.executeQuery.bind(executor);
  executor.executeQuery = ((query: CompiledQuery) => {
    statements.push(query);
    return execute(query);
  }) as typeof executor.executeQuery;
  return statements;
}

const NO_PLUGIN: KyselyPlugin = { transformQuery: (args) => args.node, transformResult: async (args) => args.result };

t.test('a tab spread over several statuses: exactly its matches, in order, paged and counted; read along the status index', async (t) => {
  const { app, db, plain } = await appWithPlugin(t, () => NO_PLUGIN);
  const statements = recordStatements(db);

  const added = await addStatuses(plain);
  const opened = [1, 2, 3, added.pending, added.onHold];
  const resolved = [4, 5, added.cancelled];
  const statuses = [...opened, ...resolved];
  const acme = await makeOrg(plain, 'Acme', true);
  const ann = await makeCustomer(plain, 'Ann of Acme', acme);
  const amy = await makeCustomer(plain, 'Amy of Acme', acme);
  const zed = await makeUser(plain, 'customer', { name: 'Zed' });
  // 1,200 Acme tickets (half of them Ann's, eight at a time), each status in turn; activity times
  // shuffled, two tickets at each time (the id breaks the tie).
  const minute = (n: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + n * 60_000).toISOString();
  const acmes = await makeTickets(plain, 1200, (i) => ({
    requesterId: Math.floor(i / 8) % 2 === 0 ? ann.id : amy.id, organizationId: acme, statusId: statuses[i % statuses.length]!,
    subject: i % 5 === 1 ? `Gadget broken ${i}` : `Acme ticket ${i}`, at: minute((i * 7919) % 600),
  }));
  const [zeds] = await makeTickets(plain, 1, { requesterId: zed.id, statusId: 2, subject: 'Elsewhere' });
  await makeMessages(plain, [
    // The word in more than 20,000 messages: a common word, walked.
    ...Array.from({ length: 20_001 }, (_, i) => ({ ticketId: zeds!, authorId: null, kind: 'reply' as const, text: `gadget filler ${i}`, at: minute(700) })),
    ...acmes.flatMap((id, i) => (i % 3 === 2 ? [{ ticketId: id, authorId: null, kind: PUBLIC[i % 3]!, text: `the gadget ${i}`, at: minute(700) }] : [])),
    ...acmes.flatMap((id, i) => (i % 7 === 3 ? [{ ticketId: id, authorId: null, kind: 'note' as const, text: 'CANARY gadget in a note', at: minute(700) }] : [])),
  ]);
  if (!onPostgres) await plain.executeQuery(CompiledQuery.raw('analyze'));

  /** The scope's matching tickets in these statuses, newest activity first, from the tables alone. */
  const bruteForce = async (statusIds: number[], requesterId: number | null) => {
    const messages = await plain.selectFrom('messages').select(['ticket_id', 'kind']).where('body_text', 'like', '%gadget%').execute();
    const found = new Set(messages.filter((m) => PUBLIC.includes(m.kind)).map((m) => m.ticket_id));
    for (const s of await plain.selectFrom('tickets').select('id').where('subject', 'like', '%Gadget%').execute()) found.add(s.id);
    let scope = plain.selectFrom('tickets').select(['id', 'last_activity_at']).where('organization_id', '=', acme).where('status_id', 'in', statusIds);
    if (requesterId !== null) scope = scope.where('requester_id', '=', requesterId);
    const rows = (await scope.execute()).filter((r) => found.has(r.id));
    rows.sort((a, b) => (a.last_activity_at === b.last_activity_at ? b.id - a.id : a.last_activity_at < b.last_activity_at ? 1 : -1));
    return rows.map((r) => r.id);
  };

  const client = await loggedIn(app, ann.email);
  /** Every page from `path` on, following "Older tickets"; the statements the first page ran. */
  const pages = async (path: string) => {
    statements.length = 0;
    const first = await client.get(path);
    t.equal(first.statusCode, 200, path);
    const ran = [...statements];
    return { body: first.body, ids: [...ticketIdsIn(first.body), ...await laterPageIds(t, client, first.body, 30)], statements: ran };
  };
  const shown = (n: number) => (n <= COUNT_CAP ? String(n) : `${COUNT_CAP}+`);

  for (const [name, view, requester, index] of [
    ['her own', '', ann.id, 'tickets_requester_status_activity'],
    ['organisation', 'view=org&', null, 'tickets_organization_status_activity'],
  ] as const) {
    const openedIds = await bruteForce(opened, requester);
    const resolvedIds = await bruteForce(resolved, requester);
    t.ok(openedIds.length > 2 * COUNT_CAP && resolvedIds.length > COUNT_CAP, `${name}: pages of matches on both tabs (${openedIds.length}, ${resolvedIds.length})`);
    const open = await pages(`/portal/tickets?${view}q=gadget`);
    t.same(open.ids, openedIds, `${name}: the Opened tab's pages are exactly the matches of its five statuses, newest activity first`);
    t.match(open.body, `Opened <span class="count">(${shown(openedIds.length)})</span>`, `${name}: the Opened count`);
    t.match(open.body, `Resolved <span class="count">(${shown(resolvedIds.length)})</span>`, `${name}: the Resolved count`);
    t.notMatch(open.body, 'CANARY');
    t.same((await pages(`/portal/tickets?${view}tab=resolved&q=gadget`)).ids, resolvedIds, `${name}: the Resolved tab's pages`);

    if (onPostgres) continue;
    // The walk's reads of the scope in the page's order (not the page itself, which looks up the ids found).
    const walks = open.statements.filter((s) => /from "tickets"/.test(s.sql) && /order by (tickets\.)?last_activity_at desc/.test(s.sql) && !/json_each/.test(s.sql));
    t.ok(walks.length > 0, `${name}: the walk's statements were seen`);
    for (const walk of walks) {
      const plan = (await plain.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${walk.sql}`, [...walk.parameters]))).rows.map((r) => r.detail);
      const reads = plan.filter((step) => /^(SEARCH|SCAN) tickets\b/.test(step));
      t.ok(reads.length > 0 && reads.every((step) => step.includes(`USING INDEX ${index} `)), `${name}: each status read along ${index}: ${reads.join(' / ')}`);
      t.notOk(plan.some((step) => /TEMP B-TREE/.test(step)), `${name}: the tab's tickets are merged in order, never sorted: ${plan.join(' / ')}`);
    }
  }

  // The walk's statements are compiled once per shape (db/reusable.ts): Amy's search has the shape of
  // Ann's (same organisation, same tab), and must read her own tickets with her own cursors.
  const amyClient = await loggedIn(app, amy.email);
  for (const [tab, statusIds] of [['opened', opened], ['resolved', resolved]] as const) {
    const first = await amyClient.get(`/portal/tickets?tab=${tab}&q=gadget`);
    t.equal(first.statusCode, 200);
    const ids = [...ticketIdsIn(first.body), ...await laterPageIds(t, amyClient, first.body, 30)];
    t.same(ids, await bruteForce(statusIds, amy.id), `Amy's own ${tab} tab after Ann's searches: exactly her matches`);
  }
});
