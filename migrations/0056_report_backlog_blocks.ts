import type { Kysely } from 'kysely';

// Frozen in time. The backlog when a report's range starts was the sum of the whole desk's change
// of it on every day since the desk began (report_days, dimension 'days', one row a day: ~1,000 rows
// at 1M tickets, 0.7–0.8 ms on PostgreSQL for each report). The rollup now keeps the 'days' counts
// in blocks of 8 and 64 days too, like the other dimensions (span 8 and 64, `day` the block's first,
// aligned on days since 1970-01-01), so that the sum reads a few dozen rows. Here the blocks are
// summed from the single days already there; the `reports` consumer and `deskbell reports rebuild`
// keep them from now on. (A desk whose rollup is still being built gets the later blocks from the
// rebuild, which writes whole blocks of 64 days.)
const DAY = 86_400_000;
const COUNTS = ['created', 'solved', 'done', 'backlog'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  const days = await db.selectFrom('report_days').select(['day', ...COUNTS]).where('dim', '=', 'days').where('span', '=', 1).execute();
  const blocks = new Map<string, Record<string, unknown>>();
  for (const row of days) {
    const n = Math.round(Date.parse(`${row.day}T00:00:00Z`) / DAY);
    for (const span of [8, 64]) {
      const day = new Date(Math.floor(n / span) * span * DAY).toISOString().slice(0, 10);
      const id = `${span}|${day}`;
      let block = blocks.get(id);
      if (!block) blocks.set(id, (block = { dim: 'days', span, day, key: '', created: 0, solved: 0, done: 0, backlog: 0 }));
      for (const count of COUNTS) (block[count] as number) += Number(row[count]);
    }
  }
  // A block whose counts come to nothing is not kept (as the rollup keeps none).
  const rows = [...blocks.values()].filter((block) => COUNTS.some((count) => block[count] !== 0));
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('report_days').values(rows.slice(i, i + 500)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('report_days').where('dim', '=', 'days').where('span', '!=', 1).execute();
}
