import { changedFields, recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import { Conflict, Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { refuse, type Checked } from '../lib/form.js';
import { can } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { countBrandHelp, countBrandTickets, findBrand, findBrandByHost, findBrandByName, makeDefaultBrand } from './queries.js';
import type { BrandInput } from './schemas.js';

/** The brand's columns from the form, once its name is free; one answer names every mistake. */
async function checkBrand(db: Db, { value, errors }: Checked<BrandInput>, exceptId?: number) {
  const { name, fromName: from_name, fromAddress: from_address, portalTitle: portal_title, colour, mailFooter: mail_footer, host } = value;
  const taken = name ? await findBrandByName(db, name) : undefined;
  if (taken && taken.id !== exceptId) errors.name ??= 'admin.brands.nameTaken';
  const hostTaken = host ? await findBrandByHost(db, host) : undefined;
  if (hostTaken && hostTaken.id !== exceptId) errors.host ??= 'admin.brands.hostTaken';
  refuse(errors);
  return { name, from_name, from_address, portal_title, colour, mail_footer, host };
}

function requireAdmin(actor: Actor): void {
  if (!can(actor, 'brands.manage')) throw new Forbidden();
}

export async function createBrand(db: Db, actor: Actor, input: Checked<BrandInput>): Promise<number> {
  requireAdmin(actor);
  const values = await checkBrand(db, input);
  return db.transaction().execute(async (trx) => {
    const row = await trx.insertInto('brands').values({ ...values, is_default: 0, created_at: nowIso() })
      .returning('id').executeTakeFirstOrThrow();
    if (input.value.isDefault) await makeDefaultBrand(trx, row.id);
    await recordAudit(trx, actor, {
      action: 'brand.created', subjectType: 'brand', subjectId: row.id, after: { ...values, is_default: input.value.isDefault ? 1 : 0 },
    });
    return row.id;
  });
}

/**
 * Exactly one brand is the default: making one the default takes the flag from the other, and the
 * default cannot simply be unticked (another brand has to be made the default instead).
 */
export async function updateBrand(db: Db, actor: Actor, id: number, input: Checked<BrandInput>): Promise<void> {
  requireAdmin(actor);
  const values = await checkBrand(db, input, id);
  await db.transaction().execute(async (trx) => {
    const before = await findBrand(trx, id);
    if (!before) throw new NotFound();
    const isDefault = input.value.isDefault ? 1 : 0;
    if (before.is_default === 1 && isDefault === 0) throw new Invalid({ isDefault: 'admin.brands.defaultRequired' });
    const diff = changedFields(before, { ...values, is_default: isDefault });
    if (Object.keys(diff.after).length === 0) return;
    await trx.updateTable('brands').set(values).where('id', '=', id).execute();
    if (isDefault === 1 && before.is_default === 0) await makeDefaultBrand(trx, id);
    await recordAudit(trx, actor, { action: 'brand.updated', subjectType: 'brand', subjectId: id, ...diff });
  });
}

/** A brand that tickets carry, or the default one, stays: mail and the portal need it; so does one with help center articles or categories. */
export async function deleteBrand(db: Db, actor: Actor, id: number): Promise<void> {
  requireAdmin(actor);
  await db.transaction().execute(async (trx) => {
    const brand = await findBrand(trx, id);
    if (!brand) throw new NotFound();
    if (brand.is_default === 1) throw new Conflict('admin.brands.deleteDefault');
    const tickets = await countBrandTickets(trx, id);
    if (tickets > 0) {
      const inUse = new Conflict('admin.brands.inUse');
      inUse.params = { n: String(tickets) };
      throw inUse;
    }
    // Its help center's articles would otherwise show in every brand's: they are moved or deleted first.
    if ((await countBrandHelp(trx, id)) > 0) throw new Conflict('admin.brands.inUseHelp');
    await trx.deleteFrom('brands').where('id', '=', id).execute();
    await recordAudit(trx, actor, { action: 'brand.deleted', subjectType: 'brand', subjectId: id, before: brand });
  });
}
