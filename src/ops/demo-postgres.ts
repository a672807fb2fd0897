import { sql, type SqlBool } from 'kysely';
import type { Db } from '../db/connect.js';
import { EVENTS, MESSAGES, SEEN, TAGGED, TICKETS, VALUES, type DemoSink, type DemoTable, type PeopleStore } from './demo-sink.js';

const TICKETS_WITH_IDS: DemoTable = { ...TICKETS, columns: [['id', 'integer'], ...TICKETS.columns] };

/**
 * The demo's rows on PostgreSQL: a batch is buffered, then written in one transaction as one
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
    async batch(size, fill) {
      const ids = await takeTicketIds(db, size);
      const tickets: unknown[][] = [];
      const messages: unknown[][] = [];
      const events: unknown[][] = [];
      const values: unknown[][] = [];
      const seen: unknown[][] = [];
      const tagged: unknown[][] = [];
      fill({
        ticket(row) {
          const id = ids[tickets.length];
          if (id === undefined) throw new Error(`the batch has more than the ${size} tickets it took ids for`);
          tickets.push([id, ...row]);
          return id;
        },
        message: (row) => void messages.push(row),
        event: (row) => void events.push(row),
        value: (row) => void values.push(row),
        seen: (row) => void seen.push(row),
        tagged: (row) => void tagged.push(row),
      });
      await db.transaction().execute(async (trx) => {
        await insertRows(trx, TICKETS_WITH_IDS, tickets);
        await insertRows(trx, MESSAGES, messages);
        await insertRows(trx, EVENTS, events);
        await insertRows(trx, VALUES, values);
        await insertRows(trx, SEEN, seen);
        await insertRows(trx, TAGGED, tagged);
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

/** Every row in one statement: one array parameter per column, turned back into rows by unnest. */
async function insertRows(trx: Db, table: DemoTable, rows: unknown[][]): Promise<void> {
  if (rows.length === 0) return;
  const arrays = table.columns.map(([, kind], c) => sql`${rows.map((row) => row[c])}::${sql.raw(kind)}[]`);
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
