// No N+1 (issue 8.4): the number of SQL statements a page runs does not grow with its rows. Every
// statement the app sends through Kysely is counted by a plugin on the app's own database handle.
import { sql, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow } from 'kysely';
import t, { type Test } from 'tap';
import { appWithPlugin } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { onPostgres } from '../helpers/database.js';
import { makeEvent, makeMessage, makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';

/** Counts executed statements: transformResult runs once per execution (transformQuery also runs for subqueries). */
class Counter implements KyselyPlugin {
  count = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.count++;
    return args.result;
  }
}

/** A desk with `rows` of everything a page lists; resolves to a function counting one GET's statements. */
async function deskWith(t: Test, rows: number) {
  const { app, db, plain, plugin: counter } = await appWithPlugin(t, () => new Counter());

  const agent = await makeUser(db, 'agent');
  const customer = await makeUser(db, 'customer');
  for (let i = 0; i < rows; i++) {
    const group = await db.insertInto('groups').values({ name: `Group ${i}`, created_at: '2026-01-01T00:00:00Z' }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('group_members').values({ group_id: group.id, user_id: agent.id }).execute();
    await db.insertInto('saved_views').values({ owner_id: agent.id, name: `View ${i}`, query: `priority=high&group=${group.id}` }).execute();
  }
  const ids = await makeTickets(db, rows, (i) => ({ requesterId: customer.id, statusId: 2, assigneeId: agent.id, groupId: null, subject: `T${i}` }));
  const first = ids[0]!;
  const now = '2026-01-02T00:00:00Z';
  for (let i = 0; i < rows; i++) {
    await makeMessage(db, first, { authorId: i % 2 ? agent.id : customer.id, kind: 'reply', text: `m${i}`, at: now });
    await makeEvent(db, first, { actorId: agent.id, kind: 'priority', from: 'Normal', to: 'High', at: now });
  }
  const staff = new Client(app);
  await staff.login(agent.email, PASSWORD);
  const portal = new Client(app);
  await portal.login(customer.email, PASSWORD);
  const statements = async (client: Client, url: string) => {
    await client.get(url);
    // PostgreSQL: the change cache's marker (the WAL position, src/db/change-cache.ts) moves with
    // every write on the server, so other tests sharing it would make the cache miss at random;
    // a commit here makes every cached value miss on both desks alike.
    if (onPostgres) await sql`select txid_current()`.execute(plain);
    counter.count = 0;
    const res = await client.get(url);
    t.equal(res.statusCode, 200, url);
    return counter.count;
  };
  return { first, staff, portal, statements };
}

t.test('statements per page do not grow with the rows shown', async (t) => {
  const small = await deskWith(t, 10);
  const large = await deskWith(t, 50);
  const pages: [string, 'staff' | 'portal', (first: number) => string][] = [
    ['agent list', 'staff', () => '/agent/tickets?view=all'],
    ['saved views in the menu (counted)', 'staff', () => '/agent/views/menu'],
    ['saved views page', 'staff', () => '/agent/views'],
    ['details, conversation', 'staff', (id) => `/agent/tickets/${id}`],
    ['details, history', 'staff', (id) => `/agent/tickets/${id}?tab=history`],
    ['portal: my tickets', 'portal', () => '/portal/tickets'],
    ['portal: one ticket', 'portal', (id) => `/portal/tickets/${id}`],
  ];
  for (const [name, who, url] of pages) {
    const few = await small.statements(small[who], url(small.first));
    const many = await large.statements(large[who], url(large.first));
    // PostgreSQL: other tests on the same server move the WAL position between the cached reads of
    // one request (settings, statuses, fields, ...), so a cached value may or may not be read
    // again: a few statements either way. An N+1 would add 40.
    if (onPostgres) t.ok(Math.abs(many - few) <= 4, `${name}: ${few} statements with 10 rows, ${many} with 50 (PostgreSQL, cache misses aside)`);
    else t.equal(many, few, `${name}: ${few} statements with 10 rows, ${many} with 50`);
  }
});
