// The ticket pages on PostgreSQL (issue 18: details p99 68 ms at 1M, 3.5 ms a request in PostgreSQL,
// most of it planning): from the second visit on, every statement the agent's and the customer's
// ticket pages send goes named, so each connection parses it once and PostgreSQL keeps its plan.
// Their few rows are sorted in JavaScript (src/lib/order.ts) and the two that sort and cut one key's
// rows are marked `keyed` (src/db/keyed.ts); what the pages then show is checked in test/agent and
// test/portal.
import { sql } from 'kysely';
import pg from 'pg';
import t from 'tap';
import { KEYED_MARK } from '../../src/db/keyed.js';
import { nowIso } from '../../src/lib/time.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { onPostgres } from '../helpers/database.js';
import { makeCcs, makeMessage, makeMessages, makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';

interface Sent { text: string; values: unknown[]; named: boolean }

/** The statements sent to PostgreSQL while `during` runs, each with its values and whether it went named (prepared). */
async function sentDuring(during: () => Promise<unknown>): Promise<Sent[]> {
  const original = pg.Client.prototype.query;
  const sent: Sent[] = [];
  const record = function (this: pg.Client, config: unknown, ...rest: unknown[]) {
    const { text, name, values } = typeof config === 'string' ? { text: config, name: undefined, values: rest[0] } : config as { text: string; name?: string; values?: unknown };
    sent.push({ text, values: Array.isArray(values) ? values : [], named: Boolean(name) });
    return (original as (...args: unknown[]) => unknown).call(this, config, ...rest);
  };
  pg.Client.prototype.query = record as unknown as typeof original;
  try {
    await during();
  } finally {
    pg.Client.prototype.query = original;
  }
  return sent;
}

/**
 * Reads of the desk's settings and lists (statuses, types, fields, macros...) are remembered between
 * requests (db/change-cache.ts) and read again only when the database changed, which on a server
 * shared with other tests happens at random; some of them sort, and they are not what this is about.
 */
const ticketRows = /\b(tickets|messages|attachments|ratings|ticket_field_values|ticket_tags|ticket_ccs|ticket_links|ticket_events|video_sessions|chat_marks|ticket_seen|ticket_slas)\b/;

const unnamedReads = (sent: Sent[]) => sent.filter((s) => !s.named && /^\s*(select|with)\b/i.test(s.text) && ticketRows.test(s.text)).map((s) => s.text);

t.test('from the second visit on, the ticket pages send their statements named', { skip: !onPostgres && 'PostgreSQL only: SQLite prepares every statement itself (db/connect.ts)' }, async (t) => {
  const { db, app } = await buildTestDesk(t);
  const agent = await makeUser(db, 'agent');
  const customer = await makeUser(db, 'customer');
  const colleague = await makeUser(db, 'customer');
  const [id, other] = await makeTickets(db, 2, { requesterId: customer.id, statusId: 2 });
  // Everything the pages read: messages (one with a file), field values, tags, CCs, a rating, a link, history.
  const reply = await makeMessage(db, id!, { authorId: customer.id, kind: 'reply', text: 'The printer is offline' });
  await makeMessage(db, id!, { authorId: customer.id, kind: 'chat', text: 'Still there?' });
  await db.insertInto('attachments').values({ message_id: reply, uploader_id: customer.id, filename: 'photo.png', content_type: 'image/png',
    size: 10, sha256: 'x', storage_key: 'nope', created_at: nowIso() }).execute();
  const field = await db.insertInto('fields').values({ key: 'model', label: 'Printer model', kind: 'text', created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('ticket_field_values').values({ ticket_id: id!, field_id: field.id, value: 'LaserJet 4' }).execute();
  await makeCcs(db, id!, colleague.id);
  await db.insertInto('ratings').values({ ticket_id: id!, user_id: customer.id, score: 'good', created_at: nowIso() }).execute();
  const staff = new Client(app);
  await staff.login(agent.email, PASSWORD);
  t.equal((await staff.post(`/agent/tickets/${id}/tags`, { tag: 'printer' })).statusCode, 303);
  t.equal((await staff.post(`/agent/tickets/${id}/links`, { kind: 'related', other: `#${other}` })).statusCode, 303);
  const portal = new Client(app);
  await portal.login(customer.email, PASSWORD);

  for (const [who, client, url] of [['agent', staff, `/agent/tickets/${id}`], ['customer', portal, `/portal/tickets/${id}`]] as const) {
    await client.page(url);
    let page = '';
    const sent = await sentDuring(async () => { page = await client.page(url); });
    t.match(page, 'The printer is offline', `the ${who}'s page is shown`);
    t.ok(sent.length > 5, `the ${who}'s page read the database (${sent.length} statements)`);
    t.same(unnamedReads(sent), [], `the ${who}'s page: every read of the ticket's rows named`);
  }
});

/** Rows of `tables` the plan read (returned and removed by filters, over every loop), from EXPLAIN ANALYZE's JSON. */
function rowsRead(plan: unknown, tables: ReadonlySet<string>): number {
  interface PlanNode { 'Relation Name'?: string; 'Actual Rows': number; 'Actual Loops': number; 'Rows Removed by Filter'?: number; Plans?: PlanNode[] }
  const walk = (node: PlanNode): number => (node['Relation Name'] && tables.has(node['Relation Name'])
    ? (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0)) * node['Actual Loops'] : 0)
    + (node.Plans ?? []).reduce((sum, child) => sum + walk(child), 0);
  return walk((plan as [{ Plan: PlanNode }])[0].Plan);
}

t.test('a keyed statement\'s one plan reads only its key\'s rows: a requester with thousands of tickets, a ticket with a long chat', { skip: !onPostgres && 'PostgreSQL only: the plan kept for a prepared statement' }, async (t) => {
  const { db, app, config } = await buildTestDesk(t);
  const agent = await makeUser(db, 'agent');
  const admin = await makeUser(db, 'admin');
  const busy = await makeUser(db, 'customer');
  const quiet = await Promise.all(Array.from({ length: 20 }, () => makeUser(db, 'customer')));
  // Skewed as a real desk: one requester with 3,000 tickets among many with a few; one ticket with
  // 1,500 chat lines among tickets with two messages.
  const minute = (n: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + n * 60_000).toISOString();
  const ids = await makeTickets(db, 3000, (i) => ({ requesterId: busy.id, statusId: 2, at: minute((i * 7919) % 3000) }));
  const others = await makeTickets(db, 1000, (i) => ({ requesterId: quiet[i % quiet.length]!.id, statusId: 2 }));
  const long = ids[1234]!;
  await makeMessages(db, [
    ...Array.from({ length: 1500 }, (_, i) => ({ ticketId: long, authorId: busy.id, kind: 'chat' as const, text: `line ${i}`, at: minute(i) })),
    ...others.flatMap((ticketId) => [{ ticketId, authorId: null, text: 'reply' }, { ticketId, authorId: null, kind: 'chat' as const, text: 'chat' }]),
  ]);
  await sql`analyze`.execute(db);

  // The busy requester's long chat, and a quiet requester's ticket (whose few tickets a walk in
  // activity order would look for among all the others).
  const keyedSent: Sent[] = [];
  for (const person of [agent, admin]) {
    const client = new Client(app);
    await client.login(person.email, PASSWORD);
    for (const id of [long, others[7]!]) {
      const sent = await sentDuring(() => client.page(`/agent/tickets/${id}`));
      keyedSent.push(...sent.filter((s) => s.text.endsWith(KEYED_MARK)));
    }
  }
  t.equal(keyedSent.length, 8, 'each page sent its two keyed statements, for an agent and for an admin');

  if (config.database.kind !== 'postgres') return;
  const client = new pg.Client({ connectionString: config.database.url });
  await client.connect();
  t.teardown(() => client.end());
  await client.query('set plan_cache_mode = force_generic_plan');
  for (const [i, { text, values }] of keyedSent.entries()) {
    await client.query(`prepare keyed${i} as ${text}`);
    const literals = values.map((v) => (v === null ? 'null' : client.escapeLiteral(String(v)))).join(', ');
    const { rows } = await client.query<{ 'QUERY PLAN': unknown }>(`explain (analyze, format json) execute keyed${i}(${literals})`);
    const limit = Number(values.at(-1));
    const read = rowsRead(rows[0]!['QUERY PLAN'], new Set(['tickets', 'messages']));
    t.ok(read <= limit + 1, `at most ${limit + 1} rows of tickets and messages read under the generic plan, read ${read}: ${text.slice(0, 60)}…`);
  }
});
