import type { TablePlan } from './copy.js';
import { count } from './progress.js';
import type { TableCheck } from './verify.js';

// What move-data prints on stdout: the rows a dry run would copy, the comparison after a copy.

/** Per table the rows it would copy, and the total. */
export function dryRunReport(plans: TablePlan[], target: string): string {
  const width = Math.max(...plans.map((p) => p.table.name.length), 5);
  const total = plans.reduce((sum, p) => sum + p.table.rows, 0);
  return `${'table'.padEnd(width)}  ${'rows'.padStart(12)}\n`
    + plans.map((plan) => `${plan.table.name.padEnd(width)}  ${count(plan.table.rows).padStart(12)}\n`).join('')
    + `Would copy ${count(total)} rows of ${plans.length} tables into ${target} (empty, schema checked). Nothing was written (--dry-run).\n`;
}

export const matches = (check: TableCheck): boolean => check.source === check.target && check.different === 0;

/** One line per table: rows on each side, sampled rows that matched, the verdict. */
export function checksReport(checks: TableCheck[]): string {
  const width = Math.max(...checks.map((c) => c.table.length), 5);
  const lines = checks.map((check) => {
    const result = matches(check) ? 'same' : check.source !== check.target ? 'DIFFERENT row count' : `DIFFERENT: ${check.different} sampled rows, e.g. ${check.example}`;
    const sample = check.sampled === null ? '-' : `${check.sampled - check.different}/${check.sampled}`;
    return `${check.table.padEnd(width)}  ${count(check.source).padStart(12)}  ${count(check.target).padStart(12)}  ${sample.padStart(9)}  ${result}\n`;
  });
  return `${'table'.padEnd(width)}  ${'SQLite'.padStart(12)}  ${'PostgreSQL'.padStart(12)}  ${'sample'.padStart(9)}  result\n${lines.join('')}`;
}
