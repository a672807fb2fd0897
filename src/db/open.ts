import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import { takeSnapshot } from '../ops/snapshots.js';
import { seedDefaults } from '../setup/defaults.js';
import { VERSION } from '../version.js';
import { connectDatabase, type Db } from './connect.js';
import { migrateToLatest, migrationState } from './migrate.js';

/**
 * Open the desk's database, bring its schema up to date and seed a new desk's defaults. Before an
 * existing SQLite desk is upgraded, a snapshot is taken (DATA_DIR/backups/pre-<version>-<time>.db);
 * on PostgreSQL the upgrade runs in one transaction all the same, and backups are pg_dump's.
 */
export const SECRET_SETTING = 'instance.secret_key';

/**
 * The key that signs CSRF tokens, rating links and reply addresses, when SECRET_KEY is not set and
 * the desk runs on PostgreSQL: made once and kept in the database, so that every instance signs and
 * checks with the same one (a token from one instance's page works on another). On SQLite it is
 * the file DATA_DIR/secret.key (config.ts). Never shown: the settings page lists only its own keys.
 */
async function sharedSecretKey(db: Db): Promise<string> {
  await db.insertInto('settings').values({ key: SECRET_SETTING, value: randomBytes(32).toString('hex') })
    .onConflict((oc) => oc.column('key').doNothing()).execute();
  const row = await db.selectFrom('settings').select('value').where('key', '=', SECRET_SETTING).executeTakeFirstOrThrow();
  return row.value;
}

export async function openDatabase(config: Config): Promise<{ db: Db; applied: string[]; snapshot: string | null }> {
  const { db, sqlite } = await connectDatabase(config.database);
  try {
    const state = await migrationState(db);
    const snapshot = sqlite && state.pending.length > 0 && state.applied > 0
      ? takeSnapshot(sqlite, config.dataDir, VERSION, config.snapshotKeep)
      : null;
    const applied = await migrateToLatest(db);
    await seedDefaults(db, config.mailDomain);
    if (!config.secretKey) config.secretKey = await sharedSecretKey(db);
    return { db, applied, snapshot };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}
