import type { Db } from '../db/connect.js';

export async function getSetting(db: Db, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

export async function getNumberSetting(db: Db, key: string): Promise<number | null> {
  const value = await getSetting(db, key);
  const n = value === undefined ? NaN : Number(value);
  return Number.isSafeInteger(n) ? n : null;
}
