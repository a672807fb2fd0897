import { recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import { Invalid, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { assertAdmin } from '../people/people.js';
import { sideOf } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { findUserByEmail } from '../users/queries.js';
import { findOrganization } from './queries.js';
import type { ManagerInput, MemberInput } from './schemas.js';

/**
 * Organisations group customers. Joining or leaving changes what the person sees from now on; the
 * tickets they already opened keep the organisation they were opened under.
 */
/** Returns who joined (their access changed). */
export async function addMember(db: Db, actor: Actor, organizationId: number, { email }: MemberInput): Promise<number> {
  assertAdmin(actor);
  return db.transaction().execute(async (trx) => {
    const org = await findOrganization(trx, organizationId);
    if (!org) throw new NotFound();
    const person = await findUserByEmail(trx, email);
    if (!person) throw new Invalid({ email: 'admin.orgs.members.unknown' });
    if (sideOf(person) !== 'customer') throw new Invalid({ email: 'admin.orgs.members.notCustomer' });
    if (person.organization_id === org.id) return person.id;
    await trx.updateTable('users').set({ organization_id: org.id, is_org_manager: 0, updated_at: nowIso() }).where('id', '=', person.id).execute();
    await recordAudit(trx, actor, {
      action: 'organization.memberAdded', subjectType: 'organization', subjectId: org.id,
      before: { organization_id: person.organization_id }, after: { organization_id: org.id },
      details: { user_id: person.id, email: person.email },
    });
    return person.id;
  });
}

async function member(trx: Db, organizationId: number, userId: number) {
  const person = await trx.selectFrom('users').select(['id', 'email', 'is_org_manager'])
    .where('id', '=', userId).where('organization_id', '=', organizationId).executeTakeFirst();
  if (!person) throw new NotFound();
  return person;
}

export async function removeMember(db: Db, actor: Actor, organizationId: number, userId: number): Promise<void> {
  assertAdmin(actor);
  await db.transaction().execute(async (trx) => {
    const person = await member(trx, organizationId, userId);
    await trx.updateTable('users').set({ organization_id: null, is_org_manager: 0, updated_at: nowIso() }).where('id', '=', userId).execute();
    await recordAudit(trx, actor, {
      action: 'organization.memberRemoved', subjectType: 'organization', subjectId: organizationId,
      before: { organization_id: organizationId, is_org_manager: person.is_org_manager }, after: { organization_id: null },
      details: { user_id: person.id, email: person.email },
    });
  });
}

/** A manager sees every ticket their organisation's people opened (seed 002), shared or not. */
export async function setManager(db: Db, actor: Actor, organizationId: number, userId: number, input: ManagerInput): Promise<boolean> {
  assertAdmin(actor);
  const manager = input.manager ? 1 : 0;
  return db.transaction().execute(async (trx) => {
    const person = await member(trx, organizationId, userId);
    if (person.is_org_manager !== manager) {
      await trx.updateTable('users').set({ is_org_manager: manager, updated_at: nowIso() }).where('id', '=', userId).execute();
      await recordAudit(trx, actor, {
        action: 'organization.managerChanged', subjectType: 'organization', subjectId: organizationId,
        before: { is_org_manager: person.is_org_manager }, after: { is_org_manager: manager },
        details: { user_id: person.id, email: person.email },
      });
    }
    return manager === 1;
  });
}
