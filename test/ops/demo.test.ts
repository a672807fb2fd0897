import t from 'tap';
import { sql } from 'kysely';
import { openTestDesk, tempDir } from '../helpers/app.js';
import { cli } from '../helpers/cli.js';
import { Client } from '../helpers/client.js';

t.test('demo --tickets 30 fills every status, gives each ticket messages and prints working logins', async (t) => {
  const dir = tempDir(t);
  const result = await cli(dir, 'demo', '--tickets', '30');
  t.equal(result.code, 0, result.err);
  t.match(result.out, /^Demo data added: 30 tickets in [\d.]+ s\./);
  const password = /with password (\S+) as:/.exec(result.out)?.[1];
  t.ok(password, 'a password is printed');
  const logins: [string, string][] = [['admin', 'admin@demo.test'], ['supervisor', 'supervisor@demo.test'], ['agent', 'agent@demo.test'], ['customer', 'customer@acme.test']];
  for (const [role, email] of logins) {
    t.match(result.out, new RegExp(`\\n  ${role} +${email.replace(/\./g, '\\.')}\\n`), `the ${role} login is printed`);
  }

  const { app, db } = await openTestDesk(t, dir);
  t.equal((await db.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n, 30);

  const statuses = await db.selectFrom('statuses').select(['id', 'name']).where('retired_at', 'is', null).execute();
  t.ok(statuses.length >= 5, 'the default workflow');
  const perStatus = new Map((await db.selectFrom('tickets').select(['status_id', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status_id').execute()).map((r) => [r.status_id, r.n]));
  for (const status of statuses) t.ok((perStatus.get(status.id) ?? 0) >= 1, `status "${status.name}" has tickets`);

  const withoutMessages = await db.selectFrom('tickets').select('id')
    .where((eb) => eb.not(eb.exists(eb.selectFrom('messages').select('id').whereRef('messages.ticket_id', '=', 'tickets.id'))))
    .execute();
  t.same(withoutMessages, [], 'every ticket has at least one message');
  const publicReplies = await db.selectFrom('messages').select('ticket_id').where('kind', '=', 'reply').distinct().execute();
  t.equal(publicReplies.length, 30, 'every ticket has a reply from its requester');

  const people = await db.selectFrom('users').select(['role']).execute();
  t.ok(people.filter((p) => p.role === 'customer').length >= 10, 'demo customers');
  t.ok(people.some((p) => p.role === 'agent'), 'demo agents');
  t.ok((await db.selectFrom('organizations').select('id').execute()).length >= 2, 'demo organisations');

  const admin = new Client(app);
  const login = await admin.login('admin@demo.test', password!);
  t.equal(login.statusCode, 303, 'the printed password works for admin@demo.test');
  t.equal(login.headers.location, '/agent');
  const list = await admin.get('/agent/tickets');
  t.equal(list.statusCode, 200);

  // The rows went in past the search triggers; the index was built afterwards.
  const first = await db.selectFrom('tickets').select(['id', 'subject']).orderBy('id').limit(1).executeTakeFirstOrThrow();
  const word = first.subject.split(/\W+/).find((w) => w.length >= 4)!;
  const found = await admin.get(`/agent/search?q=${encodeURIComponent(`"${first.subject}"`)}`);
  t.equal(found.statusCode, 200);
  t.match(found.body, `href="/agent/tickets/${first.id}"`, `searching the subject of #${first.id} ("${word}"...) finds it`);

  const customer = new Client(app);
  t.equal((await customer.login('customer@acme.test', password!)).headers.location, '/portal', 'and for the demo customer');
});

t.test('demo can run twice: people are reused, tickets are added', async (t) => {
  const dir = tempDir(t);
  const first = await cli(dir, 'demo', '--tickets', '3');
  t.equal(first.code, 0, first.err);
  const second = await cli(dir, 'demo', '--tickets', '4');
  t.equal(second.code, 0, second.err);
  const password = /with password (\S+) as:/.exec(second.out)?.[1];

  const { app, db } = await openTestDesk(t, dir);
  t.equal((await db.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n, 7);
  const admins = await db.selectFrom('users').select('id').where('email', '=', 'admin@demo.test').execute();
  t.equal(admins.length, 1, 'one demo admin');
  t.equal((await new Client(app).login('admin@demo.test', password!)).statusCode, 303, 'the latest printed password works');
});

t.test('demo --tickets 0 adds people only', async (t) => {
  const dir = tempDir(t);
  const result = await cli(dir, 'demo', '--tickets', '0');
  t.equal(result.code, 0, result.err);
  t.match(result.out, /Demo data added: 0 tickets/);
  const { db } = await openTestDesk(t, dir);
  t.equal((await db.selectFrom('tickets').select('id').execute()).length, 0);
  t.ok((await db.selectFrom('users').select('id').where('email', '=', 'agent@demo.test').execute()).length === 1);
});

t.test('demo --tickets 2000 builds a realistic desk the app can work with', async (t) => {
  const dir = tempDir(t);
  const result = await cli(dir, 'demo', '--tickets', '2000');
  t.equal(result.code, 0, result.err);
  const { db } = await openTestDesk(t, dir);
  const count = async (table: 'tickets' | 'messages' | 'ticket_field_values' | 'ticket_seen' | 'ticket_events' | 'organizations') =>
    (await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
  t.equal(await count('tickets'), 2000);
  t.ok(await count('messages') >= 3 * 2000, 'at least three messages per ticket on average');
  t.ok(await count('ticket_field_values') > 100, 'domain approvals carry their field values');
  t.ok(await count('ticket_seen') >= 2000, 'requesters and assignees have seen their tickets');
  t.ok(await count('ticket_events') >= 2000, 'every ticket has its history');
  t.ok(await count('organizations') >= 2);

  const categories = await db.selectFrom('tickets').innerJoin('statuses', 'statuses.id', 'tickets.status_id')
    .select('statuses.category').distinct().execute();
  t.ok(categories.length >= 4, `tickets in several status categories (${categories.map((c) => c.category).join(', ')})`);
  const kinds = (await db.selectFrom('messages').select('kind').distinct().execute()).map((m) => m.kind).sort();
  t.same(kinds, ['note', 'reply', 'update'], 'replies, internal notes and service updates');

  const inconsistent = await db.selectFrom('tickets').select('id').where((eb) => eb.or([
    eb('last_activity_at', '<', eb.ref('created_at')),
    eb('first_response_at', '<', eb.ref('created_at')),
    eb('last_activity_at', '>', new Date().toISOString()),
    eb(eb.selectFrom('messages').select((m) => m.fn.max('created_at').as('m')).whereRef('messages.ticket_id', '=', 'tickets.id'), '>', eb.ref('last_activity_at')),
  ])).execute();
  t.same(inconsistent, [], 'activity stamps agree with the messages and never lie in the future');
  const { integrity_check: integrity } = (await sql<{ integrity_check: string }>`pragma integrity_check`.execute(db)).rows[0]!;
  t.equal(integrity, 'ok', 'PRAGMA integrity_check');
  t.ok((await sql`select 1 from sqlite_stat1 limit 1`.execute(db)).rows.length === 1, 'the planner has statistics');
});

t.test('demo data is the same for the same command', async (t) => {
  const subjects = [];
  for (const dir of [tempDir(t), tempDir(t)]) {
    t.equal((await cli(dir, 'demo', '--tickets', '50')).code, 0);
    const { db } = await openTestDesk(t, dir);
    subjects.push(await db.selectFrom('tickets').innerJoin('messages', 'messages.ticket_id', 'tickets.id')
      .select(['tickets.subject', 'tickets.priority', 'messages.body_text']).orderBy('messages.id').execute());
  }
  t.same(subjects[0], subjects[1]);
});
