import type SQLite from 'better-sqlite3';
import type pg from 'pg';
import { quote, type SourceTable } from './source.js';
import { insertColumns, setAsideIndexes } from './target.js';

/** What to copy of one table: the columns both sides have, with the target's types. */
export interface TablePlan {
  table: SourceTable;
  columns: string[];
  types: string[];
  /** The target table has triggers of its own (switched off during the copy). */
  triggers: boolean;
}

export interface CopyProgress {
  rows: (copied: number) => void;
  indexing: () => void;
}

/**
 * Rows per statement, and a cap on the text in one (long messages): measured on a 2-core machine,
 * larger batches gained little beyond this and a statement stays a few megabytes.
 */
export const BATCH_ROWS = 2000;
const BATCH_BYTES = 8 * 1024 * 1024;

/**
 * Copy one table in one transaction, in batches: while PostgreSQL inserts one batch, the next is
 * read from SQLite (at most one statement in flight). The target's own triggers stay off meanwhile
 * (the search index is built once afterwards) and its secondary indexes are made again once the
 * rows are in; its primary and unique keys check every row (foreign keys: see setAsideForeignKeys).
 * Tells `progress` the number of rows copied so far, and when the indexes are being made.
 */
export async function copyTable(sqlite: SQLite.Database, client: pg.Client, plan: TablePlan, progress: CopyProgress): Promise<number> {
  const { table, columns, types } = plan;
  const read = sqlite.prepare(`select ${columns.map(quote).join(', ')} from ${quote(table.name)}`).raw(true);
  let batch = columns.map((): unknown[] => []);
  let bytes = 0;
  let copied = 0;
  let inflight: Promise<void> | null = null;
  const flush = async () => {
    if (inflight) await inflight;
    const rows = batch[0]!.length;
    if (rows === 0) return;
    const sent = insertColumns(client, table.name, columns, types, batch).then(() => { copied += rows; progress.rows(copied); });
    sent.catch(() => undefined); // awaited on the next flush; never an unhandled rejection meanwhile
    inflight = sent;
    batch = columns.map((): unknown[] => []);
    bytes = 0;
  };

  await client.query('begin');
  try {
    if (plan.triggers) await client.query(`alter table ${quote(table.name)} disable trigger user`);
    const restore = table.rows > 0 ? await setAsideIndexes(client, table.name) : null;
    for (const row of read.iterate() as Iterable<unknown[]>) {
      for (let i = 0; i < row.length; i++) {
        const value = row[i];
        batch[i]!.push(value);
        if (typeof value === 'string' || Buffer.isBuffer(value)) bytes += value.length;
      }
      bytes += 8 * row.length;
      if (batch[0]!.length >= BATCH_ROWS || bytes >= BATCH_BYTES) await flush();
    }
    await flush();
    if (inflight) await inflight;
    if (restore) {
      progress.indexing();
      await restore();
    }
    if (plan.triggers) await client.query(`alter table ${quote(table.name)} enable trigger user`);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw new Error(`copying ${table.name} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return copied;
}
