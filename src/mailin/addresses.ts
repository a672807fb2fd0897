import type { Db } from '../db/connect.js';
import { recordAudit } from '../admin/audit.js';
import { Invalid, NotFound } from '../lib/errors.js';
import { getNumberSetting } from '../settings/settings.js';
import type { Actor } from '../users/actor.js';
import './schema.js';
import type { SupportAddressInput } from './schemas.js';

/** Where a new ticket from a mail goes: the brand and group of the address it was sent to. */
export interface Destination {
  address: string;
  brandId: number;
  groupId: number | null;
}

/** `anything+123.token@MAIL_DOMAIN`: the shape of our reply addresses (the token is checked later, with the sender). */
export function looksLikeReplyAddress(address: string, mailDomain: string): boolean {
  const match = /^[^+@\s]+\+\d{1,12}\.[A-Za-z0-9]{16}@(.+)$/.exec(address.trim());
  return match !== null && match[1]!.toLowerCase() === mailDomain.toLowerCase();
}

export function listSupportAddresses(db: Db) {
  return db.selectFrom('support_addresses').innerJoin('brands', 'brands.id', 'support_addresses.brand_id')
    .leftJoin('groups', 'groups.id', 'support_addresses.group_id')
    .select(['support_addresses.id', 'support_addresses.address', 'support_addresses.brand_id', 'support_addresses.group_id',
      'brands.name as brand_name', 'groups.name as group_name'])
    .orderBy('support_addresses.address').execute();
}

/**
 * The support address among the recipients: a configured one first, then a brand's own sender
 * address (so a new desk works before anyone configures mail), else the default brand and group.
 */
export async function destinationFor(db: Db, recipients: readonly string[]): Promise<Destination> {
  const wanted = recipients.map((r) => r.toLowerCase());
  const defaultGroup = await getNumberSetting(db, 'default_group_id');
  if (wanted.length > 0) {
    const configured = await db.selectFrom('support_addresses').select(['address', 'brand_id', 'group_id'])
      .where('address', 'in', wanted).orderBy('id').executeTakeFirst();
    if (configured) return { address: configured.address, brandId: configured.brand_id, groupId: configured.group_id };
    const brand = await db.selectFrom('brands').select(['id', 'from_address'])
      .where((eb) => eb(eb.fn('lower', ['from_address']), 'in', wanted)).orderBy('id').executeTakeFirst();
    if (brand) return { address: brand.from_address, brandId: brand.id, groupId: defaultGroup };
  }
  const brandId = await getNumberSetting(db, 'default_brand_id');
  const brand = await db.selectFrom('brands').select(['id', 'from_address']).where('id', '=', brandId ?? -1).executeTakeFirstOrThrow();
  return { address: brand.from_address, brandId: brand.id, groupId: defaultGroup };
}

/** Every address that is ours: mail from them is our own coming back, and they are never CC'd. */
export async function ownAddresses(db: Db): Promise<Set<string>> {
  const [configured, brands] = await Promise.all([
    db.selectFrom('support_addresses').select('address').execute(),
    db.selectFrom('brands').select('from_address').execute(),
  ]);
  return new Set([...configured.map((r) => r.address), ...brands.map((b) => b.from_address)].map((a) => a.toLowerCase()));
}

/** Whether the built-in receiver takes mail for this recipient: a support address or a reply address. */
export async function acceptsRecipient(db: Db, mailDomain: string, address: string): Promise<boolean> {
  return looksLikeReplyAddress(address, mailDomain) || (await ownAddresses(db)).has(address.trim().toLowerCase());
}

/** A support address: its brand must exist, and its group when one is chosen; an address is configured once. */
export async function addSupportAddress(db: Db, actor: Actor, { address, brandId, groupId: chosenGroup }: SupportAddressInput): Promise<void> {
  const groupId = chosenGroup ?? null;
  await db.transaction().execute(async (trx) => {
    const errors: Record<string, string> = {};
    if (brandId === null || !(await trx.selectFrom('brands').select('id').where('id', '=', brandId).executeTakeFirst())) errors.brandId = 'errors.choice';
    if (chosenGroup !== undefined && (groupId === null || !(await trx.selectFrom('groups').select('id').where('id', '=', groupId).executeTakeFirst()))) errors.groupId = 'errors.choice';
    if (await trx.selectFrom('support_addresses').select('id').where('address', '=', address).executeTakeFirst()) errors.address = 'mailin.admin.errors.taken';
    if (Object.keys(errors).length > 0) throw new Invalid(errors);
    const row = await trx.insertInto('support_addresses').values({ address, brand_id: brandId!, group_id: groupId })
      .returning('id').executeTakeFirstOrThrow();
    await recordAudit(trx, actor, { action: 'support_address.created', subjectType: 'support_address', subjectId: row.id, after: { address, brandId, groupId } });
  });
}

export async function removeSupportAddress(db: Db, actor: Actor, id: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('support_addresses').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFound();
    await trx.deleteFrom('support_addresses').where('id', '=', id).execute();
    await recordAudit(trx, actor, { action: 'support_address.deleted', subjectType: 'support_address', subjectId: id, before: { address: row.address } });
  });
}

/** The brands and groups a support address can route to. */
export async function routingChoices(db: Db) {
  return {
    brands: await db.selectFrom('brands').select(['id', 'name']).orderBy('name').execute(),
    groups: await db.selectFrom('groups').select(['id', 'name']).orderBy('name').execute(),
  };
}
