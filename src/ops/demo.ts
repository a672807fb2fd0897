import { randomBytes } from 'node:crypto';
import type { Db } from '../db/connect.js';
import { isPostgres } from '../db/dialect.js';
import type { Role } from '../db/schema.js';
import { hashPassword } from '../lib/crypto.js';
import { rebuildReports } from '../reports/rebuild.js';
import { rebuildRollup } from '../reports/rollup.js';
import { getNumberSetting } from '../settings/settings.js';
import { ensurePeople } from './demo-people.js';
import { postgresSink } from './demo-postgres.js';
import { sqliteSink } from './demo-sqlite.js';
import { seededRandom } from './demo-text.js';
import { insertTickets } from './demo-batches.js';
import { insertHelpCenter } from './demo-help.js';
import { ensureSeedTypes } from './demo-types.js';

/** Bump when the generated data changes shape, so cached benchmark databases are rebuilt. */
export const DEMO_VERSION = 6;

export interface DemoLogin { role: Role; email: string }
export interface DemoOptions {
  tickets: number;
  /** On SQLite, the file behind `db` (the rows go through a connection of its own to it); '' on PostgreSQL. */
  databasePath: string;
  /** A line of progress now and then (the CLI prints it on stderr). */
  progress?: (line: string) => void;
  seed?: number;
  /** Make the rows on a thread of their own (default: when there is a second core). */
  worker?: boolean;
}

/**
 * Demo organisations, groups, staff, customers and `tickets` tickets with conversations over every
 * status category, and a help center (demo-help.ts), deterministic for a seed (the same desk on SQLite and PostgreSQL). Scales to
 * millions of tickets: batched inserts in large transactions (DESIGN.md, performance notes) through
 * the database's sink (demo-sink.ts), then the upkeep the app's own writes would have done.
 */
export async function buildDemo(db: Db, options: DemoOptions): Promise<{ password: string; logins: DemoLogin[]; tickets: number; messages: number; articles: number }> {
  const password = randomBytes(9).toString('base64url');
  const passwordHash = await hashPassword(password);
  const types = await db.transaction().execute((trx) => ensureSeedTypes(trx));
  const statuses = await db.selectFrom('statuses').select(['id', 'name', 'category', 'is_default_for_category'])
    .where('retired_at', 'is', null).orderBy('position').execute();
  const generalTypeId = await getNumberSetting(db, 'default_type_id');
  const brandId = await getNumberSetting(db, 'default_brand_id');
  if (statuses.length === 0 || generalTypeId === null || brandId === null) throw new Error('the desk has no statuses, type or brand');
  const defaultGroupId = await getNumberSetting(db, 'default_group_id');

  const random = seededRandom(options.seed ?? 42);
  // Round to the minute: the same command on the same day gives the same times.
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  const sink = isPostgres(db) ? postgresSink(db) : sqliteSink(db, options.databasePath, options.tickets);
  try {
    const { messages } = await sink.load(async () => {
      const people = await sink.people((store) => ensurePeople(store, random, options.tickets, passwordHash, defaultGroupId, new Date(now).toISOString()));
      const started = Date.now();
      let reported = started;
      const inserted = await insertTickets(sink, random, { tickets: options.tickets, now, brandId, generalTypeId, types, statuses, people }, {
        worker: options.worker,
        progress: (done) => {
          if (!options.progress || (Date.now() - reported < 2000 && done < options.tickets)) return;
          reported = Date.now();
          const seconds = (reported - started) / 1000;
          options.progress(`demo: ${done.toLocaleString('en')} / ${options.tickets.toLocaleString('en')} tickets, ${seconds.toFixed(0)} s`
            + ` (${Math.round(done / Math.max(seconds, 0.001)).toLocaleString('en')} tickets/s)`);
        },
      });
      options.progress?.(`demo: the rows were made on ${inserted.onWorker ? 'a thread of their own' : 'the writing thread'}`);
      // Demo tickets are written without events: their report figures are counted here, while
      // (on SQLite) the report rows' indexes are paused with the tickets' (a third of the time at 1M).
      options.progress?.('demo: counting the report figures');
      await rebuildReports(db, undefined, { rollup: false });
      return inserted;
    }, () => options.progress?.('demo: building the indexes and the search index'));
    // The reports' daily rollup reads the report rows by day: through their indexes, built now.
    options.progress?.('demo: adding up the report figures by day');
    await rebuildRollup(db);
    const articles = await demoHelpCenter(db, options, now);
    options.progress?.('demo: updating statistics');
    await sink.finish();
    return {
      password, tickets: options.tickets, messages, articles,
      logins: [
        { role: 'admin', email: 'admin@demo.test' }, { role: 'supervisor', email: 'supervisor@demo.test' },
        { role: 'agent', email: 'agent@demo.test' }, { role: 'customer', email: 'customer@acme.test' },
      ],
    };
  } finally {
    sink.close();
  }
}

/** The help center once per desk, with the first demo that has tickets (a second run adds tickets only). */
async function demoHelpCenter(db: Db, options: DemoOptions, now: number): Promise<number> {
  if (options.tickets === 0 || await db.selectFrom('help_articles').select('id').limit(1).executeTakeFirst()) return 0;
  options.progress?.('demo: writing the help center');
  const agent = await db.selectFrom('users').select('id').where('email', '=', 'agent@demo.test').executeTakeFirst();
  return insertHelpCenter(db, seededRandom((options.seed ?? 42) ^ 0x4e1b), { tickets: options.tickets, now, authorId: agent?.id ?? null });
}
