import { sql, type Kysely } from 'kysely';
import { isPostgres } from './dialect.js';

// Frozen in time. The reports' daily rollup (issues 18 and 26: a 90-day report read every ticket's
// row of the 90 days, 138 ms alone at 1M tickets on SQLite, 1.5 s on PostgreSQL): per local day,
// dimension ('none', 'group', 'agent', 'type', 'channel', 'brand', 'tag') and value of it ('' for
// none), the counts and the duration histograms of the tickets whose day that is; `span` 8 and 64:
// the same for blocks of days (a report merges a few blocks and the days at its ends); dimension
// 'days': the whole desk's counts per single day for the series and the backlog. The `reports`
// consumer keeps it with `report_facts`, in the same transaction; `deskbell reports rebuild` (and the
// demo) compute it from the facts. A report reads cells of days × values, not tickets.
// - report_facts.tag_ids: the tags a ticket was counted under ('' none), so that a change of its
//   tags can take it out of the right rows; null in rows written before this migration.
// - settings 'reports.rollup': the last local day the rollup holds every ticket for ('9999-12-31':
//   all). A desk with report rows already needs `deskbell reports rebuild` first (its reports read
//   the facts until then); an empty one starts complete.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('report_facts').addColumn('tag_ids', 'text').execute();
  let table = db.schema.createTable('report_days').addColumn('dim', 'text', (c) => c.notNull())
    .addColumn('span', 'integer', (c) => c.notNull()).addColumn('day', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull());
  for (const name of ['created', 'solved', 'done', 'backlog', 'fr_met', 'fr_missed', 'nr_met', 'nr_missed', 'rs_met', 'rs_missed', 'good', 'bad']) {
    table = table.addColumn(name, 'integer', (c) => c.notNull().defaultTo(0));
  }
  table = table.addColumn('first_reply', 'text').addColumn('resolution', 'text')
    .addPrimaryKeyConstraint('report_days_pk', ['dim', 'span', 'day', 'key']);
  // On SQLite the rows are stored in the key's order (a report reads one range of it).
  await (isPostgres(db) ? table : table.modifyEnd(sql`without rowid`)).execute();
  const facts = await db.selectFrom('report_facts').select('ticket_id').limit(1).execute();
  if (facts.length === 0) await db.insertInto('settings').values({ key: 'reports.rollup', value: '9999-12-31' }).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('report_days').execute();
  await db.schema.alterTable('report_facts').dropColumn('tag_ids').execute();
  await db.deleteFrom('settings').where('key', '=', 'reports.rollup').execute();
}
