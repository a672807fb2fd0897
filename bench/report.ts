// The benchmark's figures as a table, and its targets with pass/miss.
import { availableParallelism } from 'node:os';
import type { BenchReport, CaseReport } from './bench.js';
import type { InstancesReport } from './instances.js';
import type { Measurement } from './load.js';

const MB = 1024 * 1024;
const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : '-');
const ratio = (a: number, b: number) => (a > 0 && b > 0 ? (a / b).toFixed(2) : '-');

/** pass null: not measurable in this build (search before it is merged). reason: why it was missed, where the figures tell. */
export interface Target { label: string; value: string; pass: boolean | null; reason?: string }

/** The latency targets: issue 8's on SQLite, issue 18's on PostgreSQL (each at 10 connections). */
const LATENCY = {
  sqlite: { read: 25, search: 50, searchCase: 'search', write: 50 },
  postgres: { read: 50, search: 100, searchCase: 'search, common word', write: 50 },
} as const;

/** A case's measurement at 10 connections (or the lowest number measured). */
const at = (results: Measurement[]) => results.find((r) => r.connections === 10) ?? results[0];

interface Worst { name: string; value: number; seconds: number; r: Measurement }

/** The measured case with the highest `key`; one with no response at all (each took longer than the measurement) is the worst. */
function worst(cases: CaseReport[], key: 'p95' | 'p99'): Worst | null {
  const values = cases.filter((c) => !c.skipped && c.results.length > 0).map((c) => {
    const r = at(c.results)!;
    return { name: c.name, value: r.responses > 0 ? r[key] : Infinity, seconds: r.seconds, r };
  });
  return values.length ? values.reduce((a, b) => (b.value > a.value ? b : a)) : null;
}

const worstText = (w: Worst) => `worst ${Number.isFinite(w.value) ? ms(w.value) : `no response within ${w.seconds} s`} (${w.name})`;

/** A latency target: pass below `limit`, and a miss says why. */
const judged = (label: string, w: Worst, limit: number): Target =>
  (w.value < limit ? { label, value: worstText(w), pass: true } : { label, value: worstText(w), pass: false, reason: whyMissed(w.r) });

/** The targets, judged at 10 connections (or the lowest number measured). */
export function targets(report: BenchReport): Target[] {
  const limits = LATENCY[report.database.kind];
  const list = report.cases.find((c) => c.name === 'agent list, default view');
  const out: Target[] = [];
  const read = worst(report.cases.filter((c) => c.kind === 'read'), 'p99');
  if (read) out.push(judged(`every read page p99 < ${limits.read} ms`, read, limits.read));
  const searchLabel = `search p95 < ${limits.search} ms${report.database.kind === 'postgres' ? ' (common word)' : ''}`;
  const search = worst(report.cases.filter((c) => c.kind === 'search' && c.name.startsWith(limits.searchCase)), 'p95');
  out.push(search
    ? judged(searchLabel, search, limits.search)
    : { label: searchLabel, value: 'n/a (no search)', pass: null });
  const write = worst(report.cases.filter((c) => c.kind === 'write'), 'p99');
  if (write) out.push(judged(`writes p99 < ${limits.write} ms`, write, limits.write));
  const ratios = (list?.results ?? []).map((r) => ({ connections: r.connections, ratio: r.requestsPerSecond / report.floor.find((f) => f.connections === r.connections)!.requestsPerSecond }));
  out.push({
    label: 'agent list >= 20 % of the floor req/s', value: ratios.map((r) => `${(100 * r.ratio).toFixed(1)} % at ${r.connections}c`).join(', '),
    pass: ratios.length ? ratios.every((r) => r.ratio >= 0.2) : null,
  });
  out.push({ label: 'server RSS < 300 MB', value: `${(report.serverPeakRss / MB).toFixed(0)} MB peak`, pass: report.serverPeakRss < 300 * MB });
  out.push({ label: 'startup < 2 s', value: `${(report.startupMs / 1000).toFixed(2)} s`, pass: report.startupMs < 2000 });
  if (report.database.kind === 'sqlite') out.push(...issue26(report));
  return out;
}

/** Issue 26's targets on SQLite (meant for 1M tickets at 10 connections). */
const ISSUE_26 = { portalSearch: 50, agentSearch: 25, write: 25, listCpuMs: 0.8, listOfFloor: 0.08, startupMs: 1000 } as const;

function issue26(report: BenchReport): Target[] {
  const out: Target[] = [];
  const latency = (label: string, cases: CaseReport[], key: 'p95' | 'p99', limit: number) => {
    const w = worst(cases, key);
    if (w) out.push(judged(label, w, limit));
  };
  latency(`26: portal common-word search p95 < ${ISSUE_26.portalSearch} ms`, report.cases.filter((c) => c.name.startsWith('portal search, common word')), 'p95', ISSUE_26.portalSearch);
  latency(`26: agent common-word search p95 < ${ISSUE_26.agentSearch} ms`, report.cases.filter((c) => c.name.startsWith('search, common word')), 'p95', ISSUE_26.agentSearch);
  latency(`26: writes p99 < ${ISSUE_26.write} ms`, report.cases.filter((c) => c.kind === 'write'), 'p99', ISSUE_26.write);
  const listCase = report.cases.find((c) => c.name === 'agent list, default view' && !c.skipped && c.results.length > 0);
  const list = listCase ? { r: at(listCase.results)! } : undefined;
  if (list) {
    const cpuPass = list.r.cpuMs < ISSUE_26.listCpuMs;
    out.push({ label: `26: agent list CPU < ${ISSUE_26.listCpuMs} ms per request`, value: `${list.r.cpuMs.toFixed(2)} ms at ${list.r.connections}c`, pass: cpuPass });
    const floor = report.floor.find((f) => f.connections === list.r.connections);
    if (floor) {
      const share = list.r.requestsPerSecond / floor.requestsPerSecond;
      const pass = share >= ISSUE_26.listOfFloor;
      out.push({
        label: `26: agent list >= ${100 * ISSUE_26.listOfFloor} % of the floor req/s`, value: `${(100 * share).toFixed(1)} % at ${list.r.connections}c`, pass,
        ...(pass ? {} : { reason: `the list costs ${list.r.cpuMs.toFixed(2)} ms of server CPU per request against the floor's ${floor.cpuMs.toFixed(2)} ms` }),
      });
    }
  }
  out.push({ label: `26: startup < ${ISSUE_26.startupMs / 1000} s`, value: `${(report.startupMs / 1000).toFixed(2)} s`, pass: report.startupMs < ISSUE_26.startupMs });
  return out;
}

/**
 * Why a latency target was missed, as far as the measurement tells: a server busy all the time (its
 * CPU per request, times the connections waiting on its one thread) or one waiting on something else.
 */
export function whyMissed(r: Measurement, cores = availableParallelism()): string {
  if (r.responses === 0) return `no response within ${r.seconds} s`;
  const busy = (r.cpuMs * r.requestsPerSecond) / 1000;
  const share = `${(100 * busy).toFixed(0)} % of a core`;
  if (busy >= 0.85) return `CPU-bound: ${r.cpuMs.toFixed(1)} ms of server CPU per request (${share}), and ${r.connections} connections queue for its one JavaScript thread`;
  // On PostgreSQL the database's processes work too, on the same cores.
  const pg = r.databaseCpuMs !== undefined && Number.isFinite(r.databaseCpuMs) ? r.databaseCpuMs : null;
  const ours = pg === null ? busy : ((r.cpuMs + pg) * r.requestsPerSecond) / 1000;
  const of = pg === null ? `${r.cpuMs.toFixed(1)} ms of server CPU per request` : `${r.cpuMs.toFixed(1)} ms in the server and ${pg.toFixed(1)} ms in PostgreSQL per request`;
  if (pg !== null && ours >= 0.85 * cores) return `CPU-bound: ${of}, ${(100 * ours / cores).toFixed(0)} % of the machine's ${cores} cores`;
  // The machine's cores busy with something else: the load generator, or other jobs.
  if (r.machineBusy !== undefined && r.machineBusy >= 0.85) {
    return `the machine's ${cores} cores were ${(100 * r.machineBusy).toFixed(0)} % busy, ${(100 * ours / cores).toFixed(0)} % of them ours (${of}): the rest is the load generator and other processes`;
  }
  if (pg !== null && pg > r.cpuMs && ours >= 0.5 * cores) return `PostgreSQL's CPU: ${of}; the server and the database together use ${(100 * ours / cores).toFixed(0)} % of the machine's ${cores} cores`;
  if (pg !== null) return `not CPU (${of}, ${(100 * ours / cores).toFixed(0)} % of ${cores} cores): the time goes to waiting (disk, locks, or the load generator on the same cores)`;
  return `not the server's CPU (${share}, ${r.cpuMs.toFixed(1)} ms per request): the time goes to waiting (disk, locks, or the load generator on the same cores)`;
}

export function formatReport(report: BenchReport): string {
  const { dataset, database } = report;
  const pgColumn = database.kind === 'postgres';
  const lines = [
    `data set: ${dataset.tickets.toLocaleString('en')} tickets, ${(dataset.bytes / MB).toFixed(0)} MB (built by \`deskbell demo\` in ${dataset.buildSeconds.toFixed(0)} s; cached in ${dataset.dir})`,
    database.kind === 'postgres'
      ? `database: ${database.server}, database ${database.name}, ${(database.bytes / MB).toFixed(0)} MB (${database.kept
        ? 'kept by an earlier run (--keep-db) and measured in place, its writes included'
        : `moved there by \`deskbell move-data\` in ${database.moveSeconds.toFixed(0)} s, then VACUUM (ANALYZE) in ${database.vacuumSeconds.toFixed(0)} s`}); ${database.settings}`
      : 'database: SQLite (a copy of the cached file)',
    `server startup (spawn to /healthz 200): ${report.startupMs.toFixed(0)} ms; agent list page ${(report.listPageBytes / 1024).toFixed(1)} KB`,
    '',
    `${'case'.padEnd(40)} ${'conn'.padStart(4)} ${'req/s'.padStart(8)} ${'p50'.padStart(9)} ${'p95'.padStart(9)} ${'p99'.padStart(9)} ${'bad'.padStart(5)} ${'RSS'.padStart(7)} ${'CPU/req'.padStart(9)}${'busy'.padStart(6)}${pgColumn ? ' DB CPU/req'.padStart(11) : ''}`,
  ];
  const row = (name: string, r: Measurement) => r.responses === 0
    ? `${name.padEnd(40)} ${String(r.connections).padStart(4)} no response within ${r.seconds} s (${r.unanswered} requests still waiting)`
    : `${name.padEnd(40)} ${String(r.connections).padStart(4)} ${r.requestsPerSecond.toFixed(0).padStart(8)} `
    + `${ms(r.p50).padStart(9)} ${ms(r.p95).padStart(9)} ${ms(r.p99).padStart(9)} ${String(r.failures).padStart(5)} ${`${(r.peakRss / MB).toFixed(0)} MB`.padStart(7)} ${ms(r.cpuMs).padStart(9)}`
    + `${r.machineBusy === undefined || !Number.isFinite(r.machineBusy) ? '' : `${(100 * r.machineBusy).toFixed(0)} %`.padStart(6)}`
    + (pgColumn ? (r.databaseCpuMs === undefined ? '' : ms(r.databaseCpuMs).padStart(11)) : '');
  for (const r of report.floor) lines.push(row('floor: bare Fastify, same page size', r));
  for (const c of report.cases) {
    if (c.skipped) lines.push(`${c.name.padEnd(40)} ${c.skipped}`);
    for (const r of c.results) lines.push(row(c.name, r));
  }
  const list = report.cases.find((c) => c.name === 'agent list, default view');
  for (const r of list?.results ?? []) {
    const floor = report.floor.find((f) => f.connections === r.connections);
    if (floor) lines.push(`list ÷ floor at ${r.connections} connections: ${(r.requestsPerSecond / floor.requestsPerSecond).toFixed(3)}`);
  }
  lines.push('', `targets (${database.kind === 'postgres' ? 'PostgreSQL: issue 18\'s latencies' : 'SQLite: issue 8\'s'}, at 10 connections or the fewest measured):`);
  for (const t of targets(report)) {
    lines.push(`  ${t.pass === null ? 'n/a ' : t.pass ? 'pass' : 'MISS'}  ${t.label.padEnd(44)} ${t.value}`);
    if (t.reason) lines.push(`        why: ${t.reason}`);
  }
  lines.push('', `bad = responses outside the expected status class (2xx for pages, 3xx for forms) + errors + timeouts; RSS = server's highest VmRSS during the case (floor: the floor process); CPU/req = the server's CPU time (all threads) per response; busy = the machine's cores in use during the case (all processes: the load generator too)${pgColumn ? '; DB CPU/req = the CPU time of PostgreSQL\'s backends serving it, per response' : ''}; server VmHWM over the run: ${(report.serverPeakRss / MB).toFixed(0)} MB`);
  if (report.instances) lines.push('', ...formatInstances(report.instances));
  return lines.join('\n');
}

export function formatInstances(instances: InstancesReport): string[] {
  if (instances.skipped) return [`one instance vs two behind nginx: skipped: ${instances.skipped}`];
  const shares = instances.twoShares ?? [];
  const total = shares.reduce((a, b) => a + b, 0);
  const lines = [
    `one instance vs two, both behind ${instances.proxy} on loopback (round robin, no sticky sessions, after the run above on the same database;`,
    `second instance started in ${(instances.secondStartupMs ?? 0).toFixed(0)} ms; requests answered by each of the two: ${shares.map((n) => `${total ? (100 * n / total).toFixed(1) : '0'} %`).join(' / ')}):`,
    '',
    `${'case'.padEnd(40)} ${'conn'.padStart(4)} ${'1: req/s'.padStart(9)} ${'p99'.padStart(9)} ${'2: req/s'.padStart(9)} ${'p99'.padStart(9)} ${'2 ÷ 1'.padStart(6)} ${'bad'.padStart(5)}`,
  ];
  for (const one of instances.one) {
    const two = instances.two.find((c) => c.name === one.name);
    if (one.skipped) lines.push(`${one.name.padEnd(40)} ${one.skipped}`);
    for (const a of one.results) {
      const b = two?.results.find((r) => r.connections === a.connections);
      if (!b) continue;
      lines.push(`${one.name.padEnd(40)} ${String(a.connections).padStart(4)} ${a.requestsPerSecond.toFixed(0).padStart(9)} ${ms(a.p99).padStart(9)} `
        + `${b.requestsPerSecond.toFixed(0).padStart(9)} ${ms(b.p99).padStart(9)} ${ratio(b.requestsPerSecond, a.requestsPerSecond).padStart(6)} ${String(a.failures + b.failures).padStart(5)}`);
    }
  }
  return lines;
}
