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

/** Every stored setting, as key → value (the few dozen rows of the table). */
export async function allSettings(db: Db): Promise<Map<string, string>> {
  const rows = await db.selectFrom('settings').select(['key', 'value']).execute();
  return new Map(rows.map((row) => [row.key, row.value]));
}

export async function putSetting(db: Db, key: string, value: string): Promise<void> {
  await db.insertInto('settings').values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
}
