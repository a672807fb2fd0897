import type { Db } from '../db/connect.js';

const COLUMNS = ['id', 'name', 'from_name', 'from_address', 'portal_title', 'colour', 'mail_footer', 'is_default', 'host'] as const;

export function listBrands(db: Db) {
  return db.selectFrom('brands').select(COLUMNS)
    .select((eb) => eb.selectFrom('tickets').select(eb.fn.countAll<number>().as('n'))
      .whereRef('tickets.brand_id', '=', 'brands.id').as('ticket_count'))
    .orderBy('name').execute();
}

export function findBrand(db: Db, id: number) {
  return db.selectFrom('brands').select(COLUMNS).where('id', '=', id).executeTakeFirst();
}

export function findBrandByName(db: Db, name: string) {
  return db.selectFrom('brands').select('id').where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase())).executeTakeFirst();
}

export function findBrandByHost(db: Db, host: string) {
  return db.selectFrom('brands').select('id').where('host', '=', host).executeTakeFirst();
}

/** What keeps a brand from being deleted besides its tickets: its help center's categories and articles. */
export async function countBrandHelp(db: Db, id: number): Promise<number> {
  const [categories, articles] = await Promise.all([
    db.selectFrom('help_categories').select((eb) => eb.fn.countAll<number>().as('n')).where('brand_id', '=', id).executeTakeFirstOrThrow(),
    db.selectFrom('help_articles').select((eb) => eb.fn.countAll<number>().as('n')).where('brand_id', '=', id).executeTakeFirstOrThrow(),
  ]);
  return Number(categories.n) + Number(articles.n);
}

export async function countBrandTickets(db: Db, id: number): Promise<number> {
  const row = await db.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('brand_id', '=', id).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The brand flag and the `default_brand_id` setting that mail and new tickets read: both, always together. */
export async function makeDefaultBrand(trx: Db, id: number): Promise<void> {
  await trx.updateTable('brands').set({ is_default: 0 }).where('id', '!=', id).where('is_default', '=', 1).execute();
  await trx.updateTable('brands').set({ is_default: 1 }).where('id', '=', id).execute();
  await trx.insertInto('settings').values({ key: 'default_brand_id', value: String(id) })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(id) })).execute();
}
