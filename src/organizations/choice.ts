import type { Db } from '../db/connect.js';
import type { FieldErrors } from '../lib/errors.js';

/** An organisation picked on a form, its id read by the schema (null for none): an unknown one is a wrong choice. */
export async function checkOrganizationChoice(db: Db, errors: FieldErrors, id: number | null): Promise<void> {
  if (id === null) return;
  const found = await db.selectFrom('organizations').select('id').where('id', '=', id).executeTakeFirst();
  if (!found) errors.organizationId ??= 'errors.choice';
}
