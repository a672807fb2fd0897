// The benchmark's figures as a table, and its targets with pass/miss.
import type { BenchReport, CaseReport } from './bench.js';
import type { Measurement } from './load.js';

const MB = 1024 * 1024;
const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : '-');

/** pass null: not measurable in this build (search before it is merged). */
export interface Target { label: string; value: string; pass: boolean | null }

/** The targets of issue 8, judged at 10 connections (or the lowest number measured). */
export function targets(report: BenchReport): Target[] {
  const at = (results: Measurement[]) => results.find((r) => r.connections === 10) ?? results[0];
  const measured = report.cases.filter((c) => !c.skipped && c.results.length > 0);
  const worst = (kind: CaseReport['kind'], key: 'p95' | 'p99') => {
    const cases = measured.filter((c) => c.kind === kind).map((c) => ({ name: c.name, value: at(c.results)![key] }));
    return cases.length ? cases.reduce((a, b) => (b.value > a.value ? b : a)) : null;
  };
  const list = report.cases.find((c) => c.name === 'agent list, default view')!;
  const out: Target[] = [];
  const read = worst('read', 'p99');
  if (read) out.push({ label: 'every read page p99 < 25 ms', value: `worst ${ms(read.value)} (${read.name})`, pass: read.value < 25 });
  const search = worst('search', 'p95');
  out.push(search
    ? { label: 'search p95 < 50 ms', value: `worst ${ms(search.value)} (${search.name})`, pass: search.value < 50 }
    : { label: 'search p95 < 50 ms', value: 'n/a (no search)', pass: null });
  const write = worst('write', 'p99');
  if (write) out.push({ label: 'writes p99 < 50 ms', value: `worst ${ms(write.value)} (${write.name})`, pass: write.value < 50 });
  const ratios = list.results.map((r) => ({ connections: r.connections, ratio: r.requestsPerSecond / report.floor.find((f) => f.connections === r.connections)!.requestsPerSecond }));
  out.push({
    label: 'agent list >= 20 % of the floor req/s', value: ratios.map((r) => `${(100 * r.ratio).toFixed(1)} % at ${r.connections}c`).join(', '),
    pass: ratios.every((r) => r.ratio >= 0.2),
  });
  out.push({ label: 'server RSS < 300 MB', value: `${(report.serverPeakRss / MB).toFixed(0)} MB peak`, pass: report.serverPeakRss < 300 * MB });
  out.push({ label: 'startup < 2 s', value: `${(report.startupMs / 1000).toFixed(2)} s`, pass: report.startupMs < 2000 });
  return out;
}

export function formatReport(report: BenchReport): string {
  const { dataset } = report;
  const lines = [
    `data set: ${dataset.tickets.toLocaleString('en')} tickets, ${(dataset.bytes / MB).toFixed(0)} MB (built by \`deskbell demo\` in ${dataset.buildSeconds.toFixed(0)} s; cached in ${dataset.dir})`,
    `server startup (spawn to /healthz 200): ${report.startupMs.toFixed(0)} ms; agent list page ${(report.listPageBytes / 1024).toFixed(1)} KB`,
    '',
    `${'case'.padEnd(40)} ${'conn'.padStart(4)} ${'req/s'.padStart(8)} ${'p50'.padStart(9)} ${'p95'.padStart(9)} ${'p99'.padStart(9)} ${'bad'.padStart(5)} ${'RSS'.padStart(7)}`,
  ];
  const row = (name: string, r: Measurement) => `${name.padEnd(40)} ${String(r.connections).padStart(4)} ${r.requestsPerSecond.toFixed(0).padStart(8)} `
    + `${ms(r.p50).padStart(9)} ${ms(r.p95).padStart(9)} ${ms(r.p99).padStart(9)} ${String(r.failures).padStart(5)} ${`${(r.peakRss / MB).toFixed(0)} MB`.padStart(7)}`;
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
  lines.push('', 'targets:');
  for (const t of targets(report)) lines.push(`  ${t.pass === null ? 'n/a ' : t.pass ? 'pass' : 'MISS'}  ${t.label.padEnd(40)} ${t.value}`);
  lines.push('', `bad = responses outside the expected status class (2xx for pages, 3xx for forms) + errors + timeouts; RSS = server's highest VmRSS during the case (floor: the floor process); server VmHWM over the run: ${(report.serverPeakRss / MB).toFixed(0)} MB`);
  return lines.join('\n');
}
