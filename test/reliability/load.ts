// Mixed load at 50 connections against the real server with the mail worker on, a `deskbell backup`
// taken in the middle of it, `deskbell restore` refused while serving, then the copy restored and served.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { Test } from 'tap';
import { readFacts } from '../../bench/facts.js';
import { logIn, type Session } from '../../bench/session.js';
import { spawnCli } from '../helpers/cli.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { busyLines, demoData, inspect, serverDesk, sleep } from './desk.js';

export interface LoadResult {
  seconds: number;
  connections: number;
  requests: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  serverErrors: number;
  byPart: Record<string, { requests: number; p99: number }>;
  backupMs: number;
  ticketsBeforeBackup: number;
  ticketsInBackup: number;
}

type RequestSpec = NonNullable<Parameters<typeof autocannon>[0]['requests']>[number];

interface Part { name: string; connections: number; expect: number; request: RequestSpec }

export async function loadWithBackup(t: Test, options: { seconds: number; tickets: number }): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'deskbell-load-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const smtp = new TestSmtpServer();
  await smtp.start(0);
  t.teardown(() => smtp.stop());
  const password = await demoData(dir, options.tickets);
  const desk = await serverDesk(dir, { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, MAIL_DOMAIN: 'desk.test' });
  t.teardown(() => desk.kill());
  const facts = readFacts(desk.database);
  await desk.start();
  const agent = await logIn(desk.url, 'agent@demo.test', password);
  const customer = await logIn(desk.url, 'customer@acme.test', password);

  let n = 0;
  const post = (session: Session, next: () => { path: string; body: Record<string, string> }): RequestSpec => ({
    method: 'POST', path: '/', headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    setupRequest: (req: { path?: string; body?: string }) => {
      const { path, body } = next();
      return { ...req, path, body: new URLSearchParams({ _csrf: session.csrf, ...body }).toString() };
    },
  });
  const ticket = () => facts.replyTicketIds[n % facts.replyTicketIds.length]!;
  const parts: Part[] = [
    { name: 'agent lists', connections: 15, expect: 2, request: { method: 'GET', path: '/agent/tickets', headers: { cookie: agent.cookie } } },
    { name: 'agent replies', connections: 10, expect: 3, request: post(agent, () => ({ path: `/agent/tickets/${ticket()}/messages`, body: { kind: 'reply', body: `Load reply ${++n}` } })) },
    { name: 'customer views', connections: 15, expect: 2, request: { method: 'GET', path: '/portal/tickets', headers: { cookie: customer.cookie } } },
    { name: 'customer submits', connections: 10, expect: 3, request: post(customer, () => ({ path: '/portal/tickets', body: { typeId: String(facts.portalTypeId), subject: `Load ticket ${++n}`, message: 'Under load.' } })) },
  ];

  const latencies: number[] = [];
  const byPart: LoadResult['byPart'] = {};
  let unexpected = 0;
  let serverErrors = 0;
  let errors = 0;
  const runs = parts.map(async (part) => {
    const own: number[] = [];
    const instance = autocannon({ url: desk.url, connections: part.connections, duration: options.seconds, timeout: 30, requests: [part.request] });
    instance.on('response', (_client, status, _bytes, ms) => {
      own.push(ms);
      if (status >= 500) serverErrors++;
      if (Math.floor(status / 100) !== part.expect) unexpected++;
    });
    const result = await instance;
    errors += result.errors + result.timeouts;
    latencies.push(...own);
    own.sort((a, b) => a - b);
    byPart[part.name] = { requests: own.length, p99: own[Math.floor(0.99 * own.length)] ?? NaN };
  });

  // A third of the way in: note what is committed, back up, try to restore over the live server.
  await sleep(options.seconds * 1000 / 3);
  const ticketsBeforeBackup = inspect(desk.database, (db) => (db.prepare('select max(id) as id from tickets').get() as { id: number }).id);
  const target = join(dir, 'during-load.db');
  const started = Date.now();
  const backup = await spawnCli(dir, ['backup', target]);
  const backupMs = Date.now() - started;
  const refused = await spawnCli(dir, ['restore', target]);
  await Promise.all(runs);

  t.equal(backup.code, 0, `deskbell backup under load succeeds: ${backup.err}`);
  t.equal(refused.code, 1, 'deskbell restore refuses while the server runs');
  t.match(refused.err, /is running over .*; stop it first/);
  t.equal(errors, 0, 'no connection errors or timeouts');
  t.equal(serverErrors, 0, 'no 5xx');
  t.equal(unexpected, 0, 'every response has the expected status (200 pages, 303 forms)');
  t.ok(latencies.length > 0);
  // Seen here on a loaded 2-core machine: in 10 s the customer parts completed (almost) no response
  // (at 30 s they do, with p99 of 12-25 s): starved, not failing; not yet understood (docs/reliability.md).
  for (const part of parts) t.ok((byPart[part.name]?.requests ?? 0) > 0, `${part.name}: responses measured`);

  const copy = inspect(target, (db) => ({
    integrity: db.pragma('integrity_check', { simple: true }),
    missing: (db.prepare('with recursive ids(id) as (select 1 union all select id + 1 from ids where id < ?) select count(*) as n from ids where id not in (select id from tickets)').get(ticketsBeforeBackup) as { n: number }).n,
    deleted: (db.prepare('select count(*) as n from tickets').get() as { n: number }).n,
    max: (db.prepare('select max(id) as id from tickets').get() as { id: number }).id,
  }));
  t.equal(copy.integrity, 'ok', 'the backup passes integrity_check');
  // Demo ticket ids are 1..N without gaps, and nothing is deleted under this load.
  t.equal(copy.missing, 0, `the backup holds every ticket committed before it started (ids 1..${ticketsBeforeBackup})`);

  t.equal(await desk.stop(), 0, 'the server stops gracefully after the load');
  t.same(busyLines(desk.log()), [], 'no SQLITE_BUSY / database is locked in the server log');
  const restored = await spawnCli(dir, ['restore', target]);
  t.equal(restored.code, 0, `deskbell restore succeeds once the server is stopped: ${restored.err}`);
  await desk.start();
  const after = await logIn(desk.url, 'agent@demo.test', password);
  const page = await fetch(`${desk.url}/agent/tickets/${copy.max}`, { headers: { cookie: after.cookie } });
  t.equal(page.status, 200, 'the server starts on the restored copy and serves its newest ticket');
  const served = inspect(desk.database, (db) => (db.prepare('select max(id) as id from tickets').get() as { id: number }).id);
  t.equal(served, copy.max, 'the database in use is the restored copy');
  await desk.stop();

  latencies.sort((a, b) => a - b);
  const requests = latencies.length;
  return {
    seconds: options.seconds, connections: parts.reduce((s, p) => s + p.connections, 0), requests,
    requestsPerSecond: Math.round(requests / options.seconds), p50: latencies[Math.floor(requests / 2)]!, p99: latencies[Math.floor(requests * 0.99)]!,
    errors, serverErrors, byPart, backupMs, ticketsBeforeBackup, ticketsInBackup: copy.deleted,
  };
}
