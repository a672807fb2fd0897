import type { Db } from '../db/connect.js';
import { nowIso } from '../lib/time.js';
import { createCustomer } from '../users/customers.js';
import { findUserByEmail, insertUser } from '../users/queries.js';
import type { SourceOrganization, SourcePerson } from './model.js';
import { findImported, insertOrganization, organizationNamed, recordImported } from './records.js';
import type { Run } from './run.js';

/**
 * Organisations and people of an export. One that was imported before is skipped; one the desk
 * already has (an organisation of the same name, a person with the same address) is linked to it,
 * not made twice. Each is written in its own transaction, and recorded (import_records) with it.
 */

/** Marks, in a dry run, what would have been made: later rows refer to it as if it existed. */
export const WOULD_CREATE = -1;

export async function importOrganization(run: Run, org: SourceOrganization): Promise<void> {
  const { db, source } = run;
  const done = await findImported(db, source, 'organization', org.id);
  if (done !== undefined) return run.skip('organizations', 'organization', org.id, done);
  const existing = await organizationNamed(db, org.name);
  if (run.dryRun) return existing !== undefined ? run.skip('organizations', 'organization', org.id, existing) : run.create('organizations', 'organization', org.id, WOULD_CREATE);
  const id = await db.transaction().execute(async (trx) => {
    const local = existing ?? await insertOrganization(trx, org);
    await recordImported(trx, source, 'organization', org.id, local);
    return local;
  });
  return existing !== undefined ? run.skip('organizations', 'organization', org.id, id) : run.create('organizations', 'organization', org.id, id);
}

export async function importPerson(run: Run, person: SourcePerson): Promise<void> {
  const { db, source } = run;
  const done = await findImported(db, source, 'person', person.id);
  if (done !== undefined) return run.skip('people', 'person', person.id, done);
  const existing = (await findUserByEmail(db, person.email))?.id;
  if (run.dryRun) return existing !== undefined ? run.skip('people', 'person', person.id, existing) : run.create('people', 'person', person.id, WOULD_CREATE);
  const organizationId = person.organizationId === null ? null : run.local('organization', person.organizationId) ?? null;
  const id = await db.transaction().execute(async (trx) => {
    const local = existing ?? await newPerson(trx, person, organizationId);
    await recordImported(trx, source, 'person', person.id, local);
    return local;
  });
  return existing !== undefined ? run.skip('people', 'person', person.id, id) : run.create('people', 'person', person.id, id);
}

/**
 * Customers as the mail channel makes them (invited, no mail sent: they set a password through
 * "forgot password" or an invitation an admin sends). Staff become agents, invited the same way.
 */
async function newPerson(db: Db, person: SourcePerson, organizationId: number | null): Promise<number> {
  if (!person.staff) return (await createCustomer(db, { email: person.email, name: person.name, state: 'invited', organizationId })).id;
  const now = nowIso();
  return insertUser(db, {
    email: person.email, name: person.name, role: 'agent', state: 'invited', password_hash: null, organization_id: null, created_at: now, updated_at: now,
  });
}
