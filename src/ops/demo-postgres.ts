import { sql, type SqlBool } from 'kysely';
import type { Db } from '../db/connect.js';
import { giveTicketIds, LOADED, type DemoSink, type DemoTable, type PeopleStore } from './demo-sink.js';

/**
 * The demo's rows on PostgreSQL: a batch is written in one transaction as one
 * `insert ... select from unnest(arrays)` per table (a round trip per table, not per row). Ticket
 * ids are taken from the identity sequence as a block before the batch, so that a server writing
 * at the same time never gets the same number. The search triggers of migration 0019 stay on and
 * index every row in the batch's transaction: nothing to rebuild, nothing missed of what others write.
 */
export function postgresSink(db: Db): DemoSink {
  return {
    batchSize: 1000,
    load: (run) => run(),
    people: (fill) => db.transaction().execute((trx) => fill(postgresPeople(trx))),
    async write(batch) {
      const ids = await takeTicketIds(db, batch.tickets);
      giveTicketIds(batch, (place) => ids[place]!);
      await db.transaction().execute(async (trx) => {
        for (const table of LOADED) await insertRows(trx, table, batch.rows[table.name]);
      });
    },
    async finish() {
      await sql`analyze`.execute(db);
    },
    close: () => undefined,
  };
}

/** `count` new ticket numbers, in ascending order (concurrent writers may take numbers in between). */
async function takeTicketIds(db: Db, count: number): Promise<number[]> {
  const { rows } = await sql<{ id: string }>`select nextval(pg_get_serial_sequence('tickets', 'id')) as id
    from generate_series(1, ${count})`.execute(db);
  return rows.map((row) => Number(row.id)).sort((a, b) => a - b);
}

/** Every row in one statement (`values`: the rows one after the other): one array parameter per column, turned back into rows by unnest. */
async function insertRows(trx: Db, table: DemoTable, values: unknown[]): Promise<void> {
  if (values.length === 0) return;
  const width = table.columns.length;
  const column = (c: number) => {
    const out = [];
    for (let i = c; i < values.length; i += width) out.push(values[i]);
    return out;
  };
  const arrays = table.columns.map(([, kind], c) => sql`${column(c)}::${sql.raw(kind)}[]`);
  await sql`insert into ${sql.table(table.name)} (${sql.join(table.columns.map(([name]) => sql.ref(name)))})
    select * from unnest(${sql.join(arrays)}) ${sql.raw(table.onConflict ?? '')}`.execute(trx);
}

function postgresPeople(trx: Db): PeopleStore {
  const named = (name: string) => sql<SqlBool>`name = ${name} collate nocase`;
  return {
    async organization(name, domain, shares, now) {
      const found = await trx.selectFrom('organizations').select('id').where(named(name)).executeTakeFirst();
      return found?.id ?? (await trx.insertInto('organizations')
        .values({ name, domains: domain, members_see_all_tickets: shares, created_at: now }).returning('id').executeTakeFirstOrThrow()).id;
    },
    async user(email, name, role, passwordHash, organizationId, now) {
      const found = await trx.selectFrom('users').select('id').where(sql<SqlBool>`email = ${email} collate nocase`).executeTakeFirst();
      if (found) {
        await trx.updateTable('users').set({ password_hash: passwordHash, state: 'active' }).where('id', '=', found.id).execute();
        return found.id;
      }
      return (await trx.insertInto('users').values({
        email, name, role, state: 'active', password_hash: passwordHash, organization_id: organizationId, created_at: now, updated_at: now,
      }).returning('id').executeTakeFirstOrThrow()).id;
    },
    async group(name, description, now) {
      const found = await trx.selectFrom('groups').select('id').where(named(name)).executeTakeFirst();
      return found?.id ?? (await trx.insertInto('groups').values({ name, description, created_at: now }).returning('id').executeTakeFirstOrThrow()).id;
    },
    async join(groupId, userId) {
      await trx.insertInto('group_members').values({ group_id: groupId, user_id: userId }).onConflict((oc) => oc.doNothing()).execute();
    },
    async tag(name) {
      const found = await trx.selectFrom('tags').select('id').where('name', '=', name).executeTakeFirst();
      return found?.id ?? (await trx.insertInto('tags').values({ name }).returning('id').executeTakeFirstOrThrow()).id;
    },
  };
}
