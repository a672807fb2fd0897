import { sql, type Kysely } from 'kysely';
import { isPostgres } from './dialect.js';

// Frozen in time. A counter that every write to the desk's configuration tables moves, in the
// write's own transaction (triggers). The server remembers what it read of these tables until the
// counter moves (db/change-cache.ts, `untilConfigChanged`), where before any write at all (a ticket
// created) made it read them again: on PostgreSQL five or six round trips a request on a busy desk.
export const CONFIG_TABLES = ['settings', 'brands', 'ticket_types', 'fields', 'ticket_type_fields', 'statuses', 'services'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('config_marker')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('n', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.insertInto('config_marker').values({ id: 1, n: 0 }).execute();
  if (isPostgres(db)) {
    // Once per statement (and for truncate): a bulk change moves it once.
    await sql.raw(`create function config_marker_move() returns trigger language plpgsql as $$
      begin update config_marker set n = n + 1 where id = 1; return null; end $$`).execute(db);
    for (const table of CONFIG_TABLES) {
      await sql.raw(`create trigger config_marker_${table} after insert or update or delete on ${table} for each statement execute function config_marker_move()`).execute(db);
      await sql.raw(`create trigger config_marker_${table}_truncate after truncate on ${table} for each statement execute function config_marker_move()`).execute(db);
    }
    return;
  }
  for (const table of CONFIG_TABLES) {
    for (const op of ['insert', 'update', 'delete']) {
      await sql.raw(`create trigger config_marker_${table}_${op} after ${op} on ${table} begin update config_marker set n = n + 1 where id = 1; end`).execute(db);
    }
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    for (const table of CONFIG_TABLES) {
      await sql.raw(`drop trigger config_marker_${table} on ${table}`).execute(db);
      await sql.raw(`drop trigger config_marker_${table}_truncate on ${table}`).execute(db);
    }
    await sql.raw('drop function config_marker_move()').execute(db);
  } else {
    for (const table of CONFIG_TABLES) for (const op of ['insert', 'update', 'delete']) await sql.raw(`drop trigger config_marker_${table}_${op}`).execute(db);
  }
  await db.schema.dropTable('config_marker').execute();
}
