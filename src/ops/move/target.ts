import { Kysely, PostgresDialect, type PostgresPool } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from '../../db/migrate.js';
import { TYPES } from '../../db/postgres.js';
import type { Database } from '../../db/schema.js';
import { quote } from './source.js';

/** The address without its password, for messages (DATABASE_URL may hold one). */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the --to address';
  }
}

/** One connection to the target database, read back as the app reads it (int8 and numeric as numbers). */
export async function connectTarget(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, types: TYPES });
  // A connection that breaks mid-copy fails the query that runs on it; the event must not end the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new Error(`cannot connect to ${redact(url)}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return client;
}

/**
 * Tables (and views) already in the target's public schema: a desk only moves into an empty
 * database. From the catalogue, which lists them whoever owns them (information_schema would hide
 * those this user has no rights on).
 */
export async function existingTables(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(`select c.relname as name from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'f') order by c.relname`);
  return rows.map((r) => r.name);
}

/**
 * Make the desk's schema on the target with the same migrations as `deskbell migrate`, inside the
 * transaction the caller began on `client` (and commits, or rolls back for a dry run). No defaults
 * are seeded: every row comes from the SQLite desk.
 */
export async function createSchema(client: pg.Client): Promise<string[]> {
  return migrateToLatest(overClient(client), undefined, true);
}

/**
 * Kysely over this one connection (whatever transaction it is in), for the app's own functions
 * that take a `Db`: it "borrows" and "releases" the connection, which stays the caller's.
 */
export function overClient(client: pg.Client): Kysely<Database> {
  const pool: PostgresPool = {
    connect: async () => ({ query: client.query.bind(client), release: () => undefined }) as never,
    end: async () => undefined,
  };
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** Each table's columns and their types, as `format_type` spells them (for casts). */
export async function targetColumns(client: pg.Client): Promise<Map<string, Map<string, string>>> {
  const { rows } = await client.query<{ table: string; column: string; type: string }>(`
    select c.relname as table, a.attname as column, format_type(a.atttypid, a.atttypmod) as type
    from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
    order by c.relname, a.attnum`);
  const tables = new Map<string, Map<string, string>>();
  for (const row of rows) {
    if (!tables.has(row.table)) tables.set(row.table, new Map());
    tables.get(row.table)!.set(row.column, row.type);
  }
  return tables;
}

/** Tables with triggers of their own (the search index's): switched off while rows pour in. */
export async function tablesWithTriggers(client: pg.Client): Promise<Set<string>> {
  const { rows } = await client.query<{ table: string }>(`
    select distinct c.relname as table from pg_trigger g join pg_class c on c.oid = g.tgrelid
    join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and not g.tgisinternal`);
  return new Set(rows.map((r) => r.table));
}

/**
 * What a bulk load is best without, as pg_restore does it: a table's secondary indexes are dropped
 * before its rows go in and made again after (one sorted build instead of an update per row; the
 * GIN index over the messages' words most of all). Run inside the table's transaction: a failure
 * rolls the drop back. Resolves to the function that makes them again, exactly as defined.
 */
export async function setAsideIndexes(client: pg.Client, table: string): Promise<() => Promise<void>> {
  const { rows: indexes } = await client.query<{ name: string; definition: string }>(`
    select c.relname as name, pg_get_indexdef(i.indexrelid) as definition
    from pg_index i join pg_class c on c.oid = i.indexrelid
    where i.indrelid = $1::regclass and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)`, [quote(table)]);
  for (const index of indexes) await client.query(`drop index ${quote(index.name)}`);
  return async () => {
    for (const index of indexes) await client.query(index.definition);
  };
}

export interface ForeignKey {
  table: string;
  name: string;
  definition: string;
}

/**
 * Drop every foreign key of the schema (kept, to be made again by restoreForeignKeys): checking
 * each row's references as it goes in cost the copy more than half its time, and without them
 * tables that reference the same one go in side by side without waiting for each other's locks.
 */
export async function setAsideForeignKeys(client: pg.Client): Promise<ForeignKey[]> {
  const { rows } = await client.query<ForeignKey>(`
    select c.relname as table, k.conname as name, pg_get_constraintdef(k.oid) as definition
    from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and k.contype = 'f' order by c.relname, k.conname`);
  for (const key of rows) await client.query(`alter table ${quote(key.table)} drop constraint ${quote(key.name)}`);
  return rows;
}

/**
 * Make the foreign keys again, first unchecked (`not valid`: no scan, and new rows are checked from
 * then on), so that each can then be checked against all rows with `validateForeignKey`, which
 * locks neither table against the others' checks.
 */
export async function restoreForeignKeys(client: pg.Client, keys: ForeignKey[]): Promise<void> {
  await client.query('begin');
  for (const key of keys) await client.query(`alter table ${quote(key.table)} add constraint ${quote(key.name)} ${key.definition} not valid`);
  await client.query('commit');
}

/** Check every row against one foreign key; a row pointing at nothing fails the move, saying which. */
export async function validateForeignKey(client: pg.Client, key: ForeignKey): Promise<void> {
  try {
    await client.query(`alter table ${quote(key.table)} validate constraint ${quote(key.name)}`);
  } catch (error) {
    const detail = (error as { detail?: string }).detail;
    throw new Error(`${key.table}: ${key.definition}: ${error instanceof Error ? error.message : String(error)}${detail ? ` (${detail})` : ''}`
      + ' - the SQLite desk holds a reference to a row that is not there (sqlite3 deskbell.db "pragma foreign_key_check" lists them)', { cause: error });
  }
}

/** Remove any row the migrations themselves inserted (in every table they made, but their own bookkeeping). */
export async function emptyTables(client: pg.Client, tables: string[]): Promise<void> {
  if (tables.length > 0) await client.query(`truncate ${tables.map(quote).join(', ')}`);
}

/**
 * Insert rows given column by column: one statement whatever the number of rows, its parameters
 * one array per column (`unnest`), so the server parses one short statement and a few arrays
 * instead of thousands of placeholders.
 */
export async function insertColumns(client: pg.Client, table: string, columns: string[], types: string[], values: unknown[][]): Promise<void> {
  const arrays = types.map((type, i) => `$${i + 1}::${type}[]`).join(', ');
  await client.query({
    text: `insert into ${quote(table)} (${columns.map(quote).join(', ')}) select * from unnest(${arrays})`,
    values,
  });
}

/**
 * Every identity (or serial) column's sequence moved past the ids in use, and past the highest id
 * SQLite ever gave out in that table (AUTOINCREMENT never reuses one; neither will the new desk).
 */
export async function setSequences(client: pg.Client, issued: Map<string, number>): Promise<number> {
  const { rows } = await client.query<{ table: string; column: string; sequence: string }>(`
    select c.relname as table, a.attname as column, pg_get_serial_sequence(format('%I', c.relname), a.attname) as sequence
    from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
      and pg_get_serial_sequence(format('%I', c.relname), a.attname) is not null`);
  for (const row of rows) {
    const { rows: [max] } = await client.query<{ max: number | null }>(`select max(${quote(row.column)})::int8 as max from ${quote(row.table)}`);
    const value = Math.max(max?.max ?? 0, issued.get(row.table) ?? 0);
    // setval(seq, n, true): the next id is n + 1; setval(seq, 1, false): the next id is 1.
    await client.query('select setval($1, $2, $3)', [row.sequence, Math.max(value, 1), value > 0]);
  }
  return rows.length;
}
