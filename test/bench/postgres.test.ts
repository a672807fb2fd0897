import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import t from 'tap';
import { runBench } from '../../bench/bench.js';
import { compareInstances } from '../../bench/instances.js';
import { findNginx } from '../../bench/nginx.js';
import pg from 'pg';
import { benchDatabaseExists, databaseIdle, dropBenchDatabase } from '../../bench/postgres.js';
import { formatReport, targets } from '../../bench/report.js';
import { tempDir } from '../helpers/app.js';
import { built, ROOT } from '../helpers/cli.js';

// `npm run bench -- --db postgres --instances 2` end to end on a tiny desk, whatever database the
// suite runs on (it needs the PostgreSQL server, as the two-instance tests do): the desk moved into
// a database of the bench's own, every case answered as a user would get it, then the same through
// nginx in front of one instance and of two, and the database gone afterwards. Never how fast.
t.setTimeout(300_000);

const server = new URL(process.env.DESKBELL_TEST_PG || 'postgres://postgres@127.0.0.1:5432/postgres');
const benchUrl = () => Object.assign(new URL(server.toString()), { pathname: `/deskbell_bench_t_${randomBytes(5).toString('hex')}` }).toString();

t.test('npm run bench -- --db postgres --instances 2: the cases on PostgreSQL, then one instance against two behind nginx', { skip: !built() && 'needs `npm run build`' }, async (t) => {
  const nginx = findNginx();
  if (process.env.CI === 'true') t.ok(nginx, 'nginx is installed on CI (.ci/run installs it), so the two-instance part runs');
  const url = benchUrl();
  const lines: string[] = [];
  const report = await runBench({
    tickets: 300, seconds: 1, connections: [2], warmup: 2, cacheDir: tempDir(t, 'deskbell-bench-pg-'), log: (line) => lines.push(line),
    db: 'postgres', postgresUrl: url, instances: 2,
  });

  t.match(report.database, { kind: 'postgres', name: new URL(url).pathname.slice(1), server: /^PostgreSQL \d+/ }, 'the desk ran on the bench\'s own PostgreSQL database');
  if (report.database.kind === 'postgres') t.ok(report.database.bytes > 0 && report.database.moveSeconds > 0, 'its size and the time of the move are reported');
  t.ok(lines.some((line) => line.includes('deskbell move-data')), 'the desk got there through `deskbell move-data`');
  t.notOk(await benchDatabaseExists(url), 'the bench database is dropped after the run');

  const results = (cases: typeof report.cases) => cases.flatMap((c) => c.results.map((r) => ({ name: c.name, ...r })));
  for (const r of [...results(report.cases), ...results(report.instances?.one ?? []), ...results(report.instances?.two ?? [])]) {
    t.ok(r.responses > 0 && Number.isFinite(r.p99), `${r.name}: responses were measured`);
    t.equal(r.failures, 0, `${r.name}: no failures (${JSON.stringify(r.statuses)})`);
  }
  t.same(report.cases.filter((c) => c.skipped).map((c) => c.name), [], 'every case runs on PostgreSQL, search included');
  t.same(report.cases.filter((c) => c.kind === 'write').map((c) => c.results[0]!.statuses[303]! > 0), [true, true], 'forms end in a redirect');
  t.same(targets(report).slice(0, 3).map((target) => target.label),
    ['every read page p99 < 50 ms', 'search p95 < 100 ms (common word)', 'writes p99 < 50 ms'], 'judged by the PostgreSQL targets');

  const text = formatReport(report);
  t.match(text, /database: PostgreSQL [\d.]+, database deskbell_bench_t_\w+, \d+ MB \(moved there by `deskbell move-data` in \d+ s, then VACUUM \(ANALYZE\) in \d+ s\)/);
  if (nginx) {
    const { instances } = report;
    t.same(instances?.two.map((c) => c.results.length), report.cases.map(() => 1), 'every case measured behind nginx with two instances');
    t.same(instances?.one.map((c) => c.name), report.cases.map((c) => c.name), 'and with one, for the comparison');
    t.ok(instances?.twoShares?.length === 2 && instances.twoShares.every((n) => n > 0), `both instances answered requests (${instances?.twoShares?.join(' / ')})`);
    t.match(text, /one instance vs two, both behind nginx [\d.]+ on loopback/);
    for (const c of report.cases) t.match(text, new RegExp(`${c.name.replace(/[()"]/g, '.')}\\s+2\\s+\\d+\\s+[\\d.]+ ms\\s+\\d+\\s+[\\d.]+ ms\\s+[\\d.]+\\s+0$`, 'm'), `${c.name}: one and two instances side by side`);
  } else {
    t.match(text, /one instance vs two behind nginx: skipped: nginx not found/);
  }

  // A case whose every answer takes longer than the measurement is reported as such, and misses.
  const slow = { ...report, cases: report.cases.map((c) => (c.name.startsWith('search, common word')
    ? { ...c, results: c.results.map((r) => ({ ...r, responses: 0, requestsPerSecond: 0, p50: NaN, p95: NaN, p99: NaN, unanswered: 2 })) } : c)) };
  t.match(formatReport(slow), /search, common word "password"\s+2 no response within 1 s \(2 requests still waiting\)/);
  t.match(targets(slow)[1], { label: 'search p95 < 100 ms (common word)', value: 'worst no response within 1 s (search, common word "password")', pass: false });

  // Without nginx the comparison says why and is skipped; the rest of the report stands.
  const missing = await compareInstances({ url: 'http://127.0.0.1:9', pid: process.pid, startupMs: 0, stop: async () => {} }, {}, [],
    { connections: [2], seconds: 1, log: () => {}, nginx: '/nonexistent/nginx' }, []);
  const without = formatReport({ ...report, instances: missing });
  t.match(without, 'one instance vs two behind nginx: skipped: nginx not found (/nonexistent/nginx); install it (Debian: apt-get install nginx) to compare one instance with two');
  t.match(without, /targets \(PostgreSQL/, 'the single-instance figures and targets are still reported');
});

t.test('--keep-db, then --in-place: the kept database is measured again without moving it, with PostgreSQL\'s CPU per request', { skip: !built() && 'needs `npm run build`' }, async (t) => {
  const url = benchUrl();
  t.teardown(() => dropBenchDatabase(url));
  const cacheDir = tempDir(t, 'deskbell-bench-pg-kept-');
  const options = { tickets: 300, seconds: 1, connections: [2], warmup: 2, cacheDir, db: 'postgres' as const, postgresUrl: url };
  await t.rejects(runBench({ ...options, log: () => {}, only: ['agent list, default'], inPlace: true }), /--in-place on PostgreSQL measures the database an earlier run kept \(--keep-db\); deskbell_bench_t_\w+ is not there/,
    'in place without a kept database: a clear error');
  const first = await runBench({ ...options, log: () => {}, only: ['agent list, default'], keepDatabase: true });
  t.ok(await benchDatabaseExists(url), '--keep-db leaves the database');
  const list = first.cases[0]!.results[0]!;
  t.ok(list.databaseCpuMs! > 0 && Number.isFinite(list.databaseCpuMs), `PostgreSQL's CPU per request is measured (${list.databaseCpuMs} ms)`);
  t.match(formatReport(first), /CPU\/req  busy DB CPU\/req\n/, 'and printed in its own column');

  const tickets = async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try { return Number((await client.query<{ n: string }>('select count(*) as n from tickets')).rows[0]!.n); } finally { await client.end(); }
  };
  const before = await tickets();
  const lines: string[] = [];
  const again = await runBench({ ...options, log: (line) => lines.push(line), only: ['create a ticket'], inPlace: true });
  t.notOk(lines.some((line) => line.includes('move-data')), 'nothing is moved the second time');
  t.match(again.database, { kind: 'postgres', kept: true, moveSeconds: 0 });
  t.match(formatReport(again), /MB \(kept by an earlier run \(--keep-db\) and measured in place, its writes included\)/);
  const created = again.cases[0]!.results[0]!.statuses[303] ?? 0;
  t.ok(created > 0 && await tickets() >= before + created, `the run wrote into the kept database (${before} + ${created})`);
  t.ok(await benchDatabaseExists(url), 'which is still there afterwards');
  t.same(readdirSync(cacheDir).filter((name) => name.startsWith('run-')), [], 'and the run\'s data directory is gone');
});

t.test('the bench drops only a database of its own', { skip: !built() && 'needs `npm run build`' }, async (t) => {
  const run = spawnSync(process.execPath, [join(ROOT, 'dist', 'bench', 'run.js'), '--db', 'postgres', '--pg', server.toString(), '--tickets', '100'], { encoding: 'utf8' });
  t.equal(run.status, 2, 'a database not named deskbell_bench… is refused before anything runs');
  t.match(run.stderr, '--pg postgres://…/deskbell_bench…');
  const sqliteTwo = spawnSync(process.execPath, [join(ROOT, 'dist', 'bench', 'run.js'), '--instances', '2', '--tickets', '100'], { encoding: 'utf8' });
  t.equal(sqliteTwo.status, 2, 'two instances need PostgreSQL');
});

t.test('between cases the bench waits for queries a case left running on the database', async (t) => {
  const url = benchUrl();
  const admin = new pg.Client({ connectionString: server.toString() });
  await admin.connect();
  await admin.query(`create database ${pg.escapeIdentifier(new URL(url).pathname.slice(1))}`);
  await admin.end();
  t.teardown(() => dropBenchDatabase(url));
  const left = new pg.Client({ connectionString: url });
  await left.connect();
  t.ok(await databaseIdle(url), 'idle with a connection doing nothing');
  const running = left.query('select pg_sleep(1.5)');
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.notOk(await databaseIdle(url), 'not idle while a query runs');
  await running;
  t.ok(await databaseIdle(url), 'idle again once it is done');
  await left.end();
});
