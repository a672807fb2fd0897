import type { SourceTable } from './source.js';

/**
 * Tables in foreign-key order: each after every table it references (ties by name, so the order is
 * always the same). Parents go in first, and a table waits for its parents' copy only, so that
 * tables that do not reference each other can be copied side by side (schedule.ts). A reference to
 * its own table puts no constraint on the order, and a cycle of tables (none today) is broken where
 * the fewest references wait: the keys themselves are checked once every row is in (target.ts).
 */
export function copyOrder(tables: SourceTable[]): SourceTable[] {
  const pending = new Map(tables.map((t) => [t.name, t]));
  const waitsFor = (table: SourceTable) => parentsOf(table).filter((name) => pending.has(name));
  const ordered: SourceTable[] = [];
  while (pending.size > 0) {
    const candidates = [...pending.values()].sort((a, b) => a.name.localeCompare(b.name));
    const next = candidates.find((t) => waitsFor(t).length === 0)
      ?? candidates.reduce((best, t) => (waitsFor(t).length < waitsFor(best).length ? t : best));
    ordered.push(next);
    pending.delete(next.name);
  }
  return ordered;
}

/** The other tables a table references. */
export function parentsOf(table: SourceTable): string[] {
  return [...new Set(table.references.map((r) => r.table).filter((name) => name !== table.name))];
}
