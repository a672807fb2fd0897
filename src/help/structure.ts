import type { Db } from '../db/connect.js';
import { Conflict, Forbidden, NotFound, type FieldErrors } from '../lib/errors.js';
import { refuse } from '../lib/form.js';
import { nowIso } from '../lib/time.js';
import { can } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { checkBrandChoice, type TreeNodeInput } from './schemas.js';

/** The help center's categories and their sections: named per language, ordered by position. */

function mayManage(actor: Actor): void {
  if (!can(actor, 'help.manage')) throw new Forbidden();
}

function needsAName(input: TreeNodeInput, errors: FieldErrors): void {
  if (Object.keys(input.texts).length === 0) errors.name_en ??= 'help.errors.nameRequired';
}

/** Create a category (id null) or change one. */
export async function saveCategory(db: Db, actor: Actor, id: number | null, input: TreeNodeInput, errors: FieldErrors): Promise<number> {
  mayManage(actor);
  if (id !== null && !(await db.selectFrom('help_categories').select('id').where('id', '=', id).executeTakeFirst())) throw new NotFound();
  needsAName(input, errors);
  await checkBrandChoice(db, input.brandId, errors);
  refuse(errors);
  const now = nowIso();
  const values = { position: input.position, texts: JSON.stringify(input.texts), brand_id: input.brandId ?? null, updated_at: now };
  if (id !== null) {
    await db.updateTable('help_categories').set(values).where('id', '=', id).execute();
    return id;
  }
  const row = await db.insertInto('help_categories').values({ ...values, created_at: now }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Create a section (id null) or change one (it may move to another category). */
export async function saveSection(db: Db, actor: Actor, id: number | null, input: TreeNodeInput & { categoryId: number }, errors: FieldErrors): Promise<number> {
  mayManage(actor);
  if (id !== null && !(await db.selectFrom('help_sections').select('id').where('id', '=', id).executeTakeFirst())) throw new NotFound();
  if (input.categoryId && !(await db.selectFrom('help_categories').select('id').where('id', '=', input.categoryId).executeTakeFirst())) {
    errors.categoryId ??= 'errors.choice';
  }
  needsAName(input, errors);
  refuse(errors);
  const now = nowIso();
  const values = { category_id: input.categoryId, position: input.position, texts: JSON.stringify(input.texts), updated_at: now };
  if (id !== null) {
    await db.updateTable('help_sections').set(values).where('id', '=', id).execute();
    return id;
  }
  const row = await db.insertInto('help_sections').values({ ...values, created_at: now }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Only an empty category goes (its sections first). */
export async function deleteCategory(db: Db, actor: Actor, id: number): Promise<void> {
  mayManage(actor);
  await db.transaction().execute(async (trx) => {
    if (!(await trx.selectFrom('help_categories').select('id').where('id', '=', id).executeTakeFirst())) throw new NotFound();
    if (await trx.selectFrom('help_sections').select('id').where('category_id', '=', id).executeTakeFirst()) throw new Conflict('help.errors.categoryNotEmpty');
    await trx.deleteFrom('help_categories').where('id', '=', id).execute();
  });
}

/** Only an empty section goes (its articles moved or deleted first). */
export async function deleteSection(db: Db, actor: Actor, id: number): Promise<void> {
  mayManage(actor);
  await db.transaction().execute(async (trx) => {
    if (!(await trx.selectFrom('help_sections').select('id').where('id', '=', id).executeTakeFirst())) throw new NotFound();
    if (await trx.selectFrom('help_articles').select('id').where('section_id', '=', id).executeTakeFirst()) throw new Conflict('help.errors.sectionNotEmpty');
    await trx.deleteFrom('help_sections').where('id', '=', id).execute();
  });
}
