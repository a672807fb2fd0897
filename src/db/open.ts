import type { Config } from '../config.js';
import { takeSnapshot } from '../ops/snapshots.js';
import { seedDefaults } from '../setup/defaults.js';
import { VERSION } from '../version.js';
import { connect, type Db } from './connect.js';
import { migrateToLatest, migrationState } from './migrate.js';

/**
 * Open the desk's database, bring its schema up to date and seed a new desk's defaults. Before an
 * existing desk is upgraded, a snapshot is taken (DATA_DIR/backups/pre-<version>-<time>.db).
 */
export async function openDatabase(config: Config): Promise<{ db: Db; applied: string[]; snapshot: string | null }> {
  const { db, sqlite } = connect(config.databasePath);
  try {
    const state = await migrationState(db);
    const snapshot = state.pending.length > 0 && state.applied > 0
      ? takeSnapshot(sqlite, config.dataDir, VERSION, config.snapshotKeep)
      : null;
    const applied = await migrateToLatest(db);
    await seedDefaults(db, config.mailDomain);
    return { db, applied, snapshot };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}
