import { randomBytes } from 'node:crypto';
import type SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { openSqlite, type Db } from '../db/connect.js';
import type { Role } from '../db/schema.js';
import { hashPassword } from '../lib/crypto.js';
import { withSearchIndexPaused } from '../search/index.js';
import { getNumberSetting } from '../settings/settings.js';
import { ensurePeople } from './demo-people.js';
import { seededRandom } from './demo-text.js';
import { insertTickets } from './demo-tickets.js';
import { ensureSeedTypes } from './demo-types.js';

/** Bump when the generated data changes shape, so cached benchmark databases are rebuilt. */
export const DEMO_VERSION = 3;

export interface DemoLogin { role: Role; email: string }
export interface DemoOptions {
  tickets: number;
  /** The SQLite file behind `db`: the bulk of the rows goes through a raw connection to it. */
  databasePath: string;
  /** A line of progress now and then (the CLI prints it on stderr). */
  progress?: (line: string) => void;
  seed?: number;
}

/**
 * Demo organisations, groups, staff, customers and `tickets` tickets with conversations over every
 * status category, deterministic for a seed. Scales to millions of tickets: batched inserts in large
 * transactions (DESIGN.md, performance notes), then the upkeep the app's own writes would have done.
 */
export async function buildDemo(db: Db, options: DemoOptions): Promise<{ password: string; logins: DemoLogin[]; tickets: number; messages: number }> {
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
  const sqlite = openSqlite(options.databasePath);
  try {
    sqlite.pragma('cache_size = -400000');
    sqlite.pragma('temp_store = memory');
    sqlite.pragma('wal_autocheckpoint = 20000');
    // The rows go in past the search triggers (3x faster), and the index is built once afterwards.
    const { messages } = await withSearchIndexPaused(db, async () => {
      const people = sqlite.transaction(() => ensurePeople(sqlite, random, options.tickets, passwordHash, defaultGroupId, new Date(now).toISOString()))();
      const started = Date.now();
      let reported = started;
      return insertTickets(sqlite, random, {
        tickets: options.tickets, now, brandId, generalTypeId, types, statuses, people,
        progress: (done) => {
          if (!options.progress || (Date.now() - reported < 2000 && done < options.tickets)) return;
          reported = Date.now();
          const seconds = (reported - started) / 1000;
          options.progress(`demo: ${done.toLocaleString('en')} / ${options.tickets.toLocaleString('en')} tickets, ${seconds.toFixed(0)} s`
            + ` (${Math.round(done / Math.max(seconds, 0.001)).toLocaleString('en')} tickets/s)`);
        },
      });
    }, () => options.progress?.('demo: building the search index'));
    options.progress?.('demo: updating statistics');
    await afterBulkInsert(db, sqlite);
    return {
      password, tickets: options.tickets, messages,
      logins: [
        { role: 'admin', email: 'admin@demo.test' }, { role: 'supervisor', email: 'supervisor@demo.test' },
        { role: 'agent', email: 'agent@demo.test' }, { role: 'customer', email: 'customer@acme.test' },
      ],
    };
  } finally {
    sqlite.close();
  }
}

/**
 * What the app maintains as it goes, done once after rows were inserted in bulk (past the verbs):
 * the planner's statistics, and the WAL folded back into the database file.
 */
export async function afterBulkInsert(db: Db, sqlite: SQLite.Database): Promise<void> {
  await sql`pragma analysis_limit = 2000`.execute(db);
  await sql`analyze`.execute(db);
  await sql`pragma optimize`.execute(db);
  sqlite.pragma('wal_checkpoint(truncate)');
}
