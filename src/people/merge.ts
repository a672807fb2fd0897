import { recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import type { User } from '../db/schema.js';
import { mergePersonRecords } from '../kernel/index.js';
import { Invalid, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import type { Actor } from '../users/actor.js';
import { findUserByEmail } from '../users/queries.js';
import { assertAdmin, assertAdminRemains, isErased, loadPerson } from './people.js';
import { personCounts } from './queries.js';
import type { MergeInput, MergeLookupInput } from './schemas.js';

/**
 * The two records a merge would join, for its confirmation page: `other` is found by id or by
 * address (the admin types the second address the customer wrote from).
 */
export async function mergeCandidates(db: Db, actor: Actor, keptId: number, { other }: MergeLookupInput) {
  assertAdmin(actor);
  const kept = await loadPerson(db, keptId);
  const removed = typeof other === 'number' ? await db.selectFrom('users').selectAll().where('id', '=', other).executeTakeFirst() : await findUserByEmail(db, other);
  if (!removed) throw new Invalid({ other: 'admin.users.merge.notFound' }, 'admin.users.merge.notFound');
  checkMergeable(kept, removed);
  return { kept, removed, counts: await personCounts(db, removed.id) };
}

function checkMergeable(kept: User, removed: User): void {
  if (kept.id === removed.id) throw new Invalid({ other: 'admin.users.merge.same' }, 'admin.users.merge.same');
  if (kept.role !== removed.role) throw new Invalid({ other: 'admin.users.merge.roles' }, 'admin.users.merge.roles');
  if (isErased(kept) || isErased(removed)) throw new Invalid({ other: 'admin.users.merge.erased' }, 'admin.users.merge.erased');
}

/**
 * Two records of the same person become one (a customer who wrote from two addresses): everything
 * the removed record requested, wrote, was copied on, rated or belonged to moves to the kept one,
 * then the removed record is deleted (its sessions and links go with it). One transaction, one
 * audit entry naming both.
 */
export async function mergePeople(db: Db, actor: Actor, keptId: number, { removedId }: MergeInput): Promise<number> {
  assertAdmin(actor);
  if (removedId === null) throw new NotFound();
  await db.transaction().execute(async (trx) => {
    const kept = await loadPerson(trx, keptId);
    const removed = await loadPerson(trx, removedId);
    checkMergeable(kept, removed);
    if (kept.state !== 'active') await assertAdminRemains(trx, removed);
    const counts = await personCounts(trx, removed.id);
    const from = removed.id;
    const to = kept.id;

    // The tickets' side (and its person.merged event) is the kernel's.
    await mergePersonRecords(trx, actor, from, to);
    await trx.updateTable('audit_log').set({ actor_id: to }).where('actor_id', '=', from).execute();
    await trx.updateTable('services').set({ customer_id: to }).where('customer_id', '=', from).execute();
    await trx.updateTable('video_sessions').set({ created_by_id: to }).where('created_by_id', '=', from).execute();
    // Move the memberships the kept record lacks; the rest go with the removed one.
    await trx.updateTable('group_members').set({ user_id: to }).where('user_id', '=', from)
      .where('group_id', 'not in', trx.selectFrom('group_members').select('group_id').where('user_id', '=', to)).execute();
    if (kept.organization_id === null && removed.organization_id !== null) {
      await trx.updateTable('users').set({ organization_id: removed.organization_id, is_org_manager: removed.is_org_manager })
        .where('id', '=', to).execute();
    }
    await trx.updateTable('users').set({ updated_at: nowIso() }).where('id', '=', to).execute();
    await trx.deleteFrom('users').where('id', '=', from).execute();
    await recordAudit(trx, actor, {
      action: 'user.merged', subjectType: 'user', subjectId: to,
      before: { kept: { id: to, email: kept.email, name: kept.name }, removed: { id: from, email: removed.email, name: removed.name } },
      after: { kept: { id: to, email: kept.email, name: kept.name } },
      details: { moved: counts },
    });
  });
  return removedId;
}
