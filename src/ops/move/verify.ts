import type SQLite from 'better-sqlite3';
import type pg from 'pg';
import type { TablePlan } from './copy.js';
import { quote } from './source.js';

/** How one table compares after the copy. */
export interface TableCheck {
  table: string;
  source: number;
  target: number;
  /** Rows compared column by column (null: not sampled). */
  sampled: number | null;
  /** Sampled rows missing on the target or different in a column. */
  different: number;
  /** The first difference, to show. */
  example?: string;
}

export const SAMPLE_ROWS = 200;

/**
 * Compare one table: row counts, then up to SAMPLE_ROWS rows spread evenly over the table (by
 * rowid: the first, the last and the ones between) looked up on the target by their primary key
 * and compared column by column.
 */
export async function verifyTable(sqlite: SQLite.Database, client: pg.Client, plan: TablePlan): Promise<TableCheck> {
  const { table, columns } = plan;
  const { rows: [counted] } = await client.query<{ count: number }>(`select count(*) as count from ${quote(table.name)}`);
  const sample = sampleRows(sqlite, plan);
  // By the primary key (`=`: its index finds each row), else by every column (nulls equal).
  const keyed = table.primaryKey.length > 0;
  const key = keyed ? table.primaryKey : columns;
  const keyAt = key.map((c) => columns.indexOf(c));
  const found = new Map<string, unknown[]>();
  if (sample.length > 0) {
    const arrays = key.map((c, i) => `$${i + 1}::${plan.types[columns.indexOf(c)]}[]`).join(', ');
    const { rows } = await client.query<unknown[]>({
      text: `select ${columns.map((c) => `t.${quote(c)}`).join(', ')} from ${quote(table.name)} as t
        join unnest(${arrays}) as k(${key.map((_, i) => `k${i}`).join(', ')})
        on ${key.map((c, i) => `t.${quote(c)} ${keyed ? '=' : 'is not distinct from'} k.k${i}`).join(' and ')}`,
      values: keyAt.map((at) => sample.map((row) => row[at])),
      rowMode: 'array',
    });
    for (const row of rows) found.set(keyOf(keyAt.map((at) => row[at])), row);
  }
  let different = 0;
  let example: string | undefined;
  for (const row of sample) {
    const keyValues = keyAt.map((at) => row[at]);
    const where = key.map((c, i) => `${c}=${show(keyValues[i])}`).join(' ');
    const copy = found.get(keyOf(keyValues));
    const difference = copy === undefined ? `${table.name} ${where}: missing`
      : columns.map((c, i) => (same(row[i], copy[i]) ? null : `${table.name} ${where}: ${c} ${show(row[i])} became ${show(copy[i])}`)).find((d) => d !== null);
    if (difference) {
      different += 1;
      example ??= difference;
    }
  }
  return { table: table.name, source: table.rows, target: counted!.count, sampled: sample.length, different, example };
}

/** The search index has its one document per ticket (the copy's row count of tickets is checked above). */
export async function verifySearchIndex(client: pg.Client): Promise<TableCheck> {
  const { rows: [row] } = await client.query<{ tickets: number; documents: number }>(
    'select (select count(*) from tickets) as tickets, (select count(*) from search_tickets) as documents');
  return { table: 'search_tickets (built)', source: row!.tickets, target: row!.documents, sampled: null, different: 0 };
}

/** Up to SAMPLE_ROWS rows at evenly spaced rowids (every row of a small table). */
function sampleRows(sqlite: SQLite.Database, plan: TablePlan): unknown[][] {
  const { table, columns } = plan;
  const list = columns.map(quote).join(', ');
  const name = quote(table.name);
  if (table.rows <= SAMPLE_ROWS) return sqlite.prepare(`select ${list} from ${name}`).raw(true).all() as unknown[][];
  if (table.withoutRowid) {
    const step = Math.floor(table.rows / SAMPLE_ROWS);
    return (sqlite.prepare(`select ${list} from ${name}`).raw(true).all() as unknown[][]).filter((_, i) => i % step === 0).slice(0, SAMPLE_ROWS);
  }
  const { low, high } = sqlite.prepare(`select min(rowid) as low, max(rowid) as high from ${name}`).get() as { low: number; high: number };
  const at = sqlite.prepare(`select rowid, ${list} from ${name} where rowid >= ? order by rowid limit 1`).raw(true);
  const rows = new Map<number, unknown[]>();
  for (let i = 0; i < SAMPLE_ROWS; i++) {
    const row = at.get(low + Math.round(((high - low) * i) / (SAMPLE_ROWS - 1))) as unknown[] | undefined;
    if (row) rows.set(Number(row[0]), row.slice(1));
  }
  return [...rows.values()];
}

/**
 * Equal as the app sees them: a number stays a number whichever database holds it (SQLite may give
 * back 1 where PostgreSQL gives 1 too, or "1" from a text column that held it), text stays text.
 */
export function same(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a === 'number' || typeof a === 'bigint' || typeof b === 'number' || typeof b === 'bigint') return Number(a) === Number(b);
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  return String(a) === String(b);
}

function keyOf(values: unknown[]): string {
  return JSON.stringify(values.map((v) => (v === null || v === undefined ? null : typeof v === 'number' || typeof v === 'bigint' ? Number(v) : Buffer.isBuffer(v) ? v.toString('hex') : String(v))));
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  return String(value);
}
