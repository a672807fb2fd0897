// A desk whose mail waits in the outbox (no SMTP_URL) piles up queued mail jobs by the ten thousand,
// and a busy customer gathers thousands of replies in an hour. The worker polls and every mail is
// checked against the caps, so neither may read those rows: the lease finds each kind's next job in
// one seek, the caps count only automatic mail (at 1M tickets in the bench: 30–345 ms a poll and
// 4–46 ms a mail before, migration 0053).
import { CompiledQuery, type Compilable } from 'kysely';
import t, { type Test } from 'tap';
import type { Db } from '../../src/db/connect.js';
import { lapsedLeases, leaseNextJob, leaseQuery, nextJobsQuery } from '../../src/jobs/queries.js';
import { nowIso } from '../../src/lib/time.js';
import { automaticMailCount, recentAutomatic } from '../../src/notify/log.js';
import { buildTestDesk } from '../helpers/app.js';
import { onPostgres } from '../helpers/database.js';
import { makeTicket, makeUser } from '../helpers/factories.js';

const PILED = 3000;

/**
 * The table's rows the statement reads: on PostgreSQL from EXPLAIN ANALYZE (rows returned and
 * removed by filters, over every scan of it); on SQLite, where no counts are kept, the plan must
 * search it through `index` in every step (a SCAN or another index reads the pile).
 */
async function readsOf(t: Test, db: Db, query: Compilable<unknown>, table: string, index: string): Promise<number> {
  const compiled = query.compile();
  if (!onPostgres) {
    const steps = (await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]))).rows
      .map((row) => row.detail).filter((detail) => new RegExp(`\\b${table}\\b`).test(detail));
    t.ok(steps.length > 0 && steps.every((step) => new RegExp(`^SEARCH ${table} USING (COVERING )?INDEX ${index} `).test(step)), `${index}: ${steps.join(' / ')}`);
    return 0;
  }
  const { rows } = await db.executeQuery<{ 'QUERY PLAN': unknown }>(CompiledQuery.raw(`explain (analyze, format json) ${compiled.sql}`, [...compiled.parameters]));
  const raw = rows[0]!['QUERY PLAN'];
  interface PlanNode { 'Relation Name'?: string; 'Actual Rows': number; 'Actual Loops': number; 'Rows Removed by Filter'?: number; Plans?: PlanNode[] }
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as [{ Plan: PlanNode }];
  let read = 0;
  const walk = (node: PlanNode): void => {
    if (node['Relation Name'] === table) read += (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0)) * node['Actual Loops'];
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(plan[0].Plan);
  return read;
}

/** PostgreSQL: the indexes a statement's plan reads `table` through (EXPLAIN without ANALYZE: it is not run). */
async function indexesOf(db: Db, query: Compilable<unknown>, table: string): Promise<string[]> {
  const compiled = query.compile();
  const { rows } = await db.executeQuery<{ 'QUERY PLAN': unknown }>(CompiledQuery.raw(`explain (format json) ${compiled.sql}`, [...compiled.parameters]));
  const raw = rows[0]!['QUERY PLAN'];
  interface PlanNode { 'Relation Name'?: string; 'Node Type': string; 'Index Name'?: string; Plans?: PlanNode[] }
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as [{ Plan: PlanNode }];
  const found: string[] = [];
  const walk = (node: PlanNode): void => {
    if (node['Relation Name'] === table && node['Node Type'] !== 'ModifyTable') found.push(`${node['Node Type']} ${node['Index Name'] ?? ''}`.trim());
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(plan[0].Plan);
  return found;
}

t.test('the worker takes its next job in one seek a kind, past thousands of queued mails it does not send', async (t) => {
  const { db } = await buildTestDesk(t);
  const now = nowIso();
  const earlier = new Date(Date.parse(now) - 60_000).toISOString();
  for (let i = 0; i < PILED; i += 500) {
    await db.insertInto('jobs').values(Array.from({ length: 500 }, (_, j) => ({
      kind: 'mail', payload: `{"n":${i + j}}`, run_at: earlier, max_attempts: 10, locked_until: null, last_error: null, created_at: earlier, finished_at: null,
    }))).execute();
  }
  // Statistics as a demo load leaves them: taken while the table was small, before the pile.
  await db.executeQuery(CompiledQuery.raw('analyze'));
  const [tick, sweep] = await db.insertInto('jobs').values([
    { kind: 'tick', payload: '{}', run_at: now, max_attempts: 3, locked_until: null, last_error: null, created_at: now, finished_at: null },
    { kind: 'sweep', payload: '{}', run_at: now, max_attempts: 3, locked_until: null, last_error: null, created_at: now, finished_at: null },
  ]).returning('id').execute();

  const reads = await readsOf(t, db, nextJobsQuery(db, ['sweep', 'tick'], nowIso()), 'jobs', 'jobs_lease');
  if (onPostgres) t.ok(reads <= 4, `rows of jobs read to find the next job of two kinds: ${reads} (${PILED} mails queued before them)`);
  const lapsed = await readsOf(t, db, lapsedLeases(db, nowIso()), 'jobs', 'jobs_leased');
  if (onPostgres) t.ok(lapsed <= 4, `rows of jobs read to find the lapsed leases: ${lapsed}`);
  if (onPostgres) {
    t.match(await indexesOf(db, leaseQuery(db, tick!.id, nowIso(), 60_000), 'jobs'), [/^Index Scan jobs_pkey$/, /^Index Scan jobs_pkey$/], 'a job is taken by its id');
  } else {
    const compiled = leaseQuery(db, tick!.id, nowIso(), 60_000).compile();
    const steps = (await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]))).rows.map((row) => row.detail);
    t.ok(steps.filter((step) => /\bjobs\b/.test(step)).every((step) => /USING INTEGER PRIMARY KEY/.test(step)), `a job is taken by its id: ${steps.join(' / ')}`);
  }

  // The same jobs as ever: the earliest due of the worker's kinds, then the next, then none.
  const first = await leaseNextJob(db, ['tick', 'sweep'], 60_000);
  t.equal(first?.id, tick!.id, 'the earliest due job of the worker\'s kinds (ids break the tie)');
  t.equal(first?.attempts, 1, 'leased: its attempt counted');
  t.equal((await leaseNextJob(db, ['tick', 'sweep'], 60_000))?.id, sweep!.id, 'then the other kind\'s');
  t.equal(await leaseNextJob(db, ['tick', 'sweep'], 60_000), undefined, 'both out on a lease: nothing to take');
  t.equal((await leaseNextJob(db, ['mail'], 60_000))?.kind, 'mail', 'a worker that sends mail takes the mail');
  const queued = await db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'mail').where('locked_until', 'is', null).executeTakeFirstOrThrow();
  t.equal(Number(queued.n), PILED - 1, 'one mail leased, the others still waiting');
});

t.test('the mail caps count a busy address\'s automatic mail only, not its thousands of replies', async (t) => {
  const { db } = await buildTestDesk(t);
  const customer = await makeUser(db, 'customer', { email: 'busy@example.test' });
  const ticketId = await makeTicket(db, { requesterId: customer.id });
  const now = Date.now();
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
  const row = (automatic: 0 | 1, minutesAgo: number, n: number) => ({
    ticket_id: ticketId, message_ref: null, kind: automatic ? 'received' : 'reply', recipient: 'busy@example.test',
    message_id: `<m${n}@deskbell.test>`, automatic, created_at: at(minutesAgo),
  });
  for (let i = 0; i < PILED; i += 500) await db.insertInto('mail_log').values(Array.from({ length: 500 }, (_, j) => row(0, (i + j) % 50, i + j))).execute();
  // Three automatic mails in the hour, one two hours ago.
  await db.insertInto('mail_log').values([row(1, 5, -1), row(1, 20, -2), row(1, 59, -3), row(1, 120, -4)]).execute();
  await db.executeQuery(CompiledQuery.raw('analyze'));

  const since = at(60);
  t.same(await recentAutomatic(db, ticketId, 'Busy@Example.test', since), { toAddress: 3, onTicket: 3 }, 'three automatic mails in the hour, to the address and on the ticket');
  for (const [column, value, index] of [['recipient', 'busy@example.test', 'mail_log_automatic_recipient'], ['ticket_id', ticketId, 'mail_log_automatic_ticket']] as const) {
    const reads = await readsOf(t, db, automaticMailCount(db, column, value, since), 'mail_log', index);
    if (onPostgres) t.ok(reads <= 4, `rows of mail_log read to count by ${column}: ${reads} (${PILED} replies beside them)`);
  }
});
