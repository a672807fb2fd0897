// The typed `Database` interface (src/db/schema.ts) is what every query is checked against; the
// migrations are what the file really holds. This test reads the interface with the TypeScript
// compiler and compares it, table by table and column by column (name and nullability), with the
// schema of a freshly migrated database, so the two cannot drift apart unnoticed.
import { join } from 'node:path';
import t from 'tap';
import ts from 'typescript';
import { sql } from 'kysely';
import type { Test } from 'tap';
import { loadConfig } from '../../src/config.js';
import { connect, connectDatabase } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { tempDir } from '../helpers/app.js';
import { databaseEnv, onPostgres, TEST_DB } from '../helpers/database.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SCHEMA = join(ROOT, 'src', 'db', 'schema.ts');

interface DeclaredColumn { nullable: boolean }
type Declared = Map<string, Map<string, DeclaredColumn>>;

/**
 * Tables and columns as the `Database` interface declares them. Features declare their own tables by
 * augmenting the interface (`declare module '../db/schema.js'`), so the whole project is loaded.
 */
function declaredSchema(): Declared {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!config) throw new Error('cannot read tsconfig.json');
  const program = ts.createProgram(config.fileNames, { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(SCHEMA);
  if (!source) throw new Error(`cannot read ${SCHEMA}`);
  const database = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'Database');
  if (!database) throw new Error('no interface Database in schema.ts');

  const tables: Declared = new Map();
  for (const table of checker.getTypeAtLocation(database).getProperties()) {
    const tableType = checker.getTypeOfSymbolAtLocation(table, database);
    const columns = new Map<string, DeclaredColumn>();
    for (const column of tableType.getProperties()) {
      const type = checker.getTypeOfSymbolAtLocation(column, database);
      // Generated<T> and ColumnType<S, I, U> wrap the select type in __select__.
      const selectSymbol = type.getProperty('__select__');
      const selected = selectSymbol ? checker.getTypeOfSymbolAtLocation(selectSymbol, database) : type;
      const parts = selected.isUnion() ? selected.types : [selected];
      columns.set(column.name, { nullable: parts.some((p) => (p.flags & ts.TypeFlags.Null) !== 0) });
    }
    tables.set(table.name, columns);
  }
  return tables;
}

/** Tables and columns as the migrations leave a new database (SQLite's own bookkeeping left out). */
async function migratedSchema(path: string): Promise<{ tables: Map<string, Map<string, { notnull: boolean; pk: boolean }>>; virtual: string[] }> {
  const { db, sqlite } = connect(path);
  try {
    await migrateToLatest(db);
    const tables = sqlite.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table'
      AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'kysely_%' ORDER BY name`).pluck().all() as string[];
    const virtual = sqlite.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'`).pluck().all() as string[];
    const shadow = new Set(virtual.flatMap((name) => [name, ...['_data', '_idx', '_content', '_docsize', '_config'].map((s) => `${name}${s}`)]));
    // The portal index's list of tickets whose documents are out of date (migration 0054) is part of
    // that index, reached like it through the search module's raw SQL only.
    shadow.add('search_portal_dirty');
    const result = new Map<string, Map<string, { notnull: boolean; pk: boolean }>>();
    for (const table of tables.filter((name) => !shadow.has(name))) {
      const columns = sqlite.prepare(`SELECT name, "notnull", pk FROM pragma_table_info(?)`).all(table) as { name: string; notnull: number; pk: number }[];
      result.set(table, new Map(columns.map((c) => [c.name, { notnull: c.notnull === 1, pk: c.pk > 0 }])));
    }
    return { tables: result, virtual };
  } finally {
    await db.destroy();
  }
}

/**
 * The same on PostgreSQL: its one search table (migration 0019: a tsvector per ticket; messages are
 * searched through an expression index) is untyped, as the FTS5 tables are.
 */
async function migratedPostgres(t: Test): Promise<{ tables: Map<string, Map<string, { notnull: boolean; pk: boolean }>>; virtual: string[] }> {
  const dir = tempDir(t);
  const { db } = await connectDatabase(loadConfig({ DATA_DIR: dir, ...await databaseEnv(dir, t) }).database);
  try {
    await migrateToLatest(db);
    const { rows } = await sql<{ table_name: string; column_name: string; is_nullable: string }>`select table_name, column_name, is_nullable
      from information_schema.columns where table_schema = current_schema() and table_name not like 'kysely_%'
        and is_generated = 'NEVER' -- the messages' stored search words (migration 0028): the search index's, like search_tickets
      order by table_name, ordinal_position`.execute(db);
    const result = new Map<string, Map<string, { notnull: boolean; pk: boolean }>>();
    for (const row of rows) {
      if (!result.has(row.table_name)) result.set(row.table_name, new Map());
      result.get(row.table_name)!.set(row.column_name, { notnull: row.is_nullable === 'NO', pk: false });
    }
    const virtual = ['search_tickets'].filter((name) => result.delete(name));
    return { tables: result, virtual };
  } finally {
    await db.destroy();
  }
}

t.test(`every table and column of the migrated database (${TEST_DB}) is declared in the Database interface, and nothing more`, async (t) => {
  const declared = declaredSchema();
  const { tables: migrated, virtual } = onPostgres ? await migratedPostgres(t) : await migratedSchema(join(tempDir(t), 'drift.db'));
  t.ok(declared.size > 20, `the interface declares ${declared.size} tables`);
  // Full-text indexes (FTS5 virtual tables; a tsvector table on PostgreSQL) are reached only through
  // the search module's raw SQL.
  t.same(virtual.sort(), onPostgres ? ['search_tickets'] : ['help_search', 'search_messages', 'search_portal', 'search_tickets'], 'the only untyped tables are the search indexes');

  for (const [table, columns] of migrated) {
    const typed = declared.get(table);
    t.ok(typed, `table ${table} is declared in Database`);
    if (!typed) continue;
    t.same([...typed.keys()].sort(), [...columns.keys()].sort(), `${table}: the same columns`);
    for (const [name, column] of columns) {
      const type = typed.get(name);
      if (!type) continue;
      // A NOT NULL column typed as nullable, or a nullable column typed as never null, is drift.
      // (An INTEGER PRIMARY KEY is NOT NULL in fact even where SQLite reports notnull = 0.)
      const notNull = column.notnull || column.pk;
      t.equal(type.nullable, !notNull, `${table}.${name}: ${notNull ? 'NOT NULL' : 'nullable'} in both`);
    }
  }
  for (const table of declared.keys()) t.ok(migrated.has(table), `declared table ${table} exists after migrating`);
});
