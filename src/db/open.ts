import type { Config } from '../config.js';
import { seedDefaults } from '../setup/defaults.js';
import { connect, type Db } from './connect.js';
import { migrateToLatest } from './migrate.js';

/** Open the desk's database, bring its schema up to date and seed a new desk's defaults. */
export async function openDatabase(config: Config): Promise<{ db: Db; applied: string[] }> {
  const { db } = connect(config.databasePath);
  try {
    const applied = await migrateToLatest(db);
    await seedDefaults(db, config.mailDomain);
    return { db, applied };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}
