import { existsSync } from 'node:fs';
import type SQLite from 'better-sqlite3';
import { openSqlite } from '../../db/connect.js';

/** One table of the SQLite desk as move-data copies it. */
export interface SourceTable {
  name: string;
  /** Stored columns in their order (generated and hidden ones are the target's business). */
  columns: string[];
  /** The primary key's columns (empty: the rows are told apart by all their columns). */
  primaryKey: string[];
  /** Each referencing column and the table it points at. */
  references: { column: string; table: string }[];
  /** A WITHOUT ROWID table (samples are then taken by key order). */
  withoutRowid: boolean;
  rows: number;
}

/** Tables of the migration tool itself: the target gets its own when its schema is made. */
const MIGRATION_TABLES = new Set(['kysely_migration', 'kysely_migration_lock']);
/** SQLite's own work lists for its search index (the portal's out-of-date documents): PostgreSQL builds its index its own way. */
const SEARCH_TABLES = new Set(['search_portal_dirty']);

/**
 * The SQLite desk, read-only, inside one read transaction: every count, row and sample comes from
 * the same snapshot (WAL), so a copy is consistent even if something writes meanwhile (what is
 * written after the start is not copied: stop the server first).
 */
export function openSource(path: string): SQLite.Database {
  if (!existsSync(path)) throw new Error(`there is no SQLite desk at ${path} (DATA_DIR or DATABASE_URL)`);
  const sqlite = openSqlite(path, { readonly: true });
  sqlite.exec('begin');
  sqlite.prepare('select count(*) from sqlite_schema').get(); // the snapshot starts at the first read
  return sqlite;
}

export function closeSource(sqlite: SQLite.Database): void {
  if (sqlite.inTransaction) sqlite.exec('rollback');
  sqlite.close();
}

/** Names of the migrations applied to the desk, in order. */
export function appliedMigrations(sqlite: SQLite.Database): string[] {
  const exists = sqlite.prepare("select 1 from sqlite_schema where type = 'table' and name = 'kysely_migration'").get();
  if (!exists) return [];
  return (sqlite.prepare('select name from kysely_migration order by name').all() as { name: string }[]).map((r) => r.name);
}

/**
 * The tables that hold the desk's rows: not SQLite's own (sqlite_sequence, statistics), not the
 * FTS5 search index (virtual tables and their shadow tables, and the list of out-of-date portal
 * documents: PostgreSQL builds its own), not the migration bookkeeping.
 */
export function sourceTables(sqlite: SQLite.Database): SourceTable[] {
  const list = sqlite.prepare("select name, wr from pragma_table_list where schema = 'main' and type = 'table' order by name").all() as { name: string; wr: number }[];
  return list
    .filter(({ name }) => !name.startsWith('sqlite_') && !MIGRATION_TABLES.has(name) && !SEARCH_TABLES.has(name))
    .map(({ name, wr }) => {
      const info = sqlite.prepare('select name, pk, hidden from pragma_table_xinfo(?) order by cid').all(name) as
        { name: string; pk: number; hidden: number }[];
      const stored = info.filter((c) => c.hidden === 0);
      const keys = sqlite.prepare('select "from", "table" from pragma_foreign_key_list(?)').all(name) as { from: string; table: string }[];
      const { rows } = sqlite.prepare(`select count(*) as rows from ${quote(name)}`).get() as { rows: number };
      return {
        name,
        columns: stored.map((c) => c.name),
        primaryKey: stored.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name),
        references: keys.map((k) => ({ column: k.from, table: k.table })),
        withoutRowid: wr === 1,
        rows,
      };
    });
}

/** AUTOINCREMENT's high-water marks: ids once given out, even if their rows are gone, are never reused. */
export function highestIssuedIds(sqlite: SQLite.Database): Map<string, number> {
  const exists = sqlite.prepare("select 1 from sqlite_schema where name = 'sqlite_sequence'").get();
  if (!exists) return new Map();
  const rows = sqlite.prepare('select name, seq from sqlite_sequence').all() as { name: string; seq: number }[];
  return new Map(rows.map((r) => [r.name, Number(r.seq)]));
}

/** An identifier quoted for SQL, the same way for SQLite and PostgreSQL. */
export function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
