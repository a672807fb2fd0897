import { ChangeCache, configMarker, writesTo } from '../db/change-cache.js';
import type { Db } from '../db/connect.js';
import { tookLateWriterLock } from '../db/writer-lock.js';

/** The whole table (a few dozen rows), read again only after the configuration changed (migration 0057). */
const settingsCache = new ChangeCache<Map<string, string>>(1, 0, configMarker);

/** Per transaction: the table as it read it first, `writesTo('settings')` then, and whether it held the writer lock yet. */
const inTransaction = new WeakMap<Db, { all: Promise<Map<string, string>>; writes: number; locked: boolean }>();

/**
 * One setting. Outside a transaction from the remembered table (pages ask for several settings on
 * every request); inside one, from the table as that transaction first read it, and read again
 * after any write to the table (a consumer's transaction asks for four or five: the mail caps, the
 * reply address, the time zone; on PostgreSQL a round trip each). What a late-locking transaction
 * read before it took the writer lock is read again after: a setting read under the lock (the
 * reports' rollup mark, the mail caps) is the latest committed one, as every writer of it holds
 * the lock.
 */
export async function getSetting(db: Db, key: string): Promise<string | undefined> {
  if (db.isTransaction) {
    const writes = writesTo('settings');
    const locked = tookLateWriterLock();
    let held = inTransaction.get(db);
    if (!held || held.writes !== writes || held.locked !== locked) inTransaction.set(db, held = { all: allSettings(db), writes, locked });
    return (await held.all).get(key);
  }
  return (await settingsCache.get(db, 'all', () => allSettings(db))).get(key);
}

export async function getNumberSetting(db: Db, key: string): Promise<number | null> {
  const value = await getSetting(db, key);
  const n = value === undefined ? NaN : Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

/** Every stored setting, as key → value (the few dozen rows of the table). */
export async function allSettings(db: Db): Promise<Map<string, string>> {
  const rows = await db.selectFrom('settings').select(['key', 'value']).execute();
  return new Map(rows.map((row) => [row.key, row.value]));
}

export async function putSetting(db: Db, key: string, value: string): Promise<void> {
  await db.insertInto('settings').values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
}
