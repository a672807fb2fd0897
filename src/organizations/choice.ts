import type { Db } from '../db/connect.js';
import { positiveInt, type Checker } from '../lib/validate.js';

/** An organisation picked on a form: null for none; an unknown id is a field error. */
export async function readOrganizationChoice(db: Db, check: Checker, value: unknown): Promise<number | null> {
  if (value === undefined || value === '') return null;
  const id = positiveInt(value);
  const found = id === null ? undefined : await db.selectFrom('organizations').select('id').where('id', '=', id).executeTakeFirst();
  if (!found) check.add('organizationId', 'errors.choice');
  return id;
}
