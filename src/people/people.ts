import { recordAudit } from '../admin/audit.js';
import { liftLoginLock } from '../auth/attempts.js';
import { revokeTokens } from '../auth/auth.js';
import { endAllSessions } from '../auth/sessions.js';
import type { Db } from '../db/connect.js';
import { checkOrganizationChoice } from '../organizations/choice.js';
import type { User } from '../db/schema.js';
import { Conflict, Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { refuse, type Checked } from '../lib/form.js';
import { nowIso } from '../lib/time.js';
import { can, sideOf } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { sendAccountMail } from '../users/invitations.js';
import { findUserByEmail, findUserById } from '../users/queries.js';
import { addPerson } from '../users/users.js';
import { otherActiveAdmins } from './queries.js';
import type { CreatePersonInput, RoleInput, StateInput } from './schemas.js';

/** People are managed by admins only; every verb here starts with this. */
export function assertAdmin(actor: Actor): void {
  if (!can(actor, 'people.manage')) throw new Forbidden();
}

export async function loadPerson(db: Db, id: number): Promise<User> {
  const person = await findUserById(db, id);
  if (!person) throw new NotFound();
  return person;
}

/** A desk always keeps one active admin: whoever would remove the last one (themselves) is refused. */
export async function assertAdminRemains(db: Db, person: User): Promise<void> {
  if (person.state === 'active' && can(person, 'admin.access') && await otherActiveAdmins(db, person.id) === 0) {
    throw new Conflict('admin.users.errors.lastAdmin');
  }
}

/** Erased records keep their id (messages point at them) but are never brought back. */
export const ERASED_DOMAIN = 'erased.invalid';
export const isErased = (person: User) => person.email.endsWith(`@${ERASED_DOMAIN}`);

/**
 * An admin adds a person: with a password they can log in at once (seed 002: accounts "created by
 * administrator"); otherwise they are invited and get the "Create password" mail, staff included.
 */
export async function createPerson(db: Db, actor: Actor, { value, errors }: Checked<CreatePersonInput>): Promise<number> {
  assertAdmin(actor);
  const { email, name, role, method, password, organizationId } = value;
  await checkOrganizationChoice(db, errors, organizationId);
  refuse(errors);

  return db.transaction().execute(async (trx) => {
    if (await findUserByEmail(trx, email)) throw new Invalid({ email: 'errors.emailTaken' });
    const { id } = await addPerson(trx, actor, { email, name, role, organizationId, password });
    const person = await loadPerson(trx, id);
    if (method === 'invite') await sendAccountMail(trx, actor.id, person.id, 'invited');
    await recordAudit(trx, actor, {
      action: 'user.created', subjectType: 'user', subjectId: id,
      after: { email: person.email, name: person.name, role, state: person.state, organization_id: person.organization_id },
      details: { method },
    });
    return id;
  });
}

export async function changeRole(db: Db, actor: Actor, id: number, { role }: RoleInput): Promise<void> {
  assertAdmin(actor);
  await db.transaction().execute(async (trx) => {
    const person = await loadPerson(trx, id);
    if (person.role === role) return;
    await assertAdminRemains(trx, person);
    // Organisations group customers: someone who becomes staff leaves theirs.
    const leaves = sideOf({ role }) === 'staff' && person.organization_id !== null;
    const change = leaves ? { role, organization_id: null, is_org_manager: 0 as const } : { role };
    await trx.updateTable('users').set({ ...change, updated_at: nowIso() }).where('id', '=', id).execute();
    await recordAudit(trx, actor, {
      action: 'user.roleChanged', subjectType: 'user', subjectId: id,
      before: leaves ? { role: person.role, organization_id: person.organization_id, is_org_manager: person.is_org_manager } : { role: person.role },
      after: change,
    });
  });
}

/**
 * Disable: the person is logged out everywhere at once (their sessions are deleted, not left to
 * expire) and their open links die. Enable: back to active, or to invited if they never set a password.
 */
export async function setPersonState(db: Db, actor: Actor, id: number, { state: wanted }: StateInput): Promise<'disabled' | 'enabled'> {
  assertAdmin(actor);
  return db.transaction().execute(async (trx) => {
    const person = await loadPerson(trx, id);
    if (wanted === 'disabled') {
      if (person.state !== 'disabled') {
        await assertAdminRemains(trx, person);
        await trx.updateTable('users').set({ state: 'disabled', updated_at: nowIso() }).where('id', '=', id).execute();
        await endAllSessions(trx, id);
        await revokeTokens(trx, id, ['invite', 'reset']);
        await recordAudit(trx, actor, { action: 'user.disabled', subjectType: 'user', subjectId: id, before: { state: person.state }, after: { state: 'disabled' } });
      }
      return 'disabled';
    }
    if (person.state === 'disabled') {
      if (isErased(person)) throw new Conflict('admin.users.errors.erased');
      const state = person.password_hash ? 'active' : 'invited';
      await trx.updateTable('users').set({ state, updated_at: nowIso() }).where('id', '=', id).execute();
      await recordAudit(trx, actor, { action: 'user.enabled', subjectType: 'user', subjectId: id, before: { state: 'disabled' }, after: { state } });
    }
    return 'enabled';
  });
}

/**
 * The admin sends a way in: an active person gets the password reset mail (a one-hour link, as
 * "Forgot password" sends), an invited one a fresh invitation (older links stop working).
 */
export async function sendPasswordLink(db: Db, actor: Actor, id: number): Promise<'reset' | 'invitation'> {
  assertAdmin(actor);
  return db.transaction().execute(async (trx) => {
    const person = await loadPerson(trx, id);
    if (person.state === 'disabled') throw new Conflict('admin.users.errors.disabled');
    if (person.state === 'invited') {
      await revokeTokens(trx, id, ['invite']);
      await sendAccountMail(trx, actor.id, id, 'invited');
      await recordAudit(trx, actor, { action: 'user.invitationSent', subjectType: 'user', subjectId: id });
      return 'invitation';
    }
    await sendAccountMail(trx, actor.id, id, 'reset');
    await recordAudit(trx, actor, { action: 'user.passwordResetSent', subjectType: 'user', subjectId: id });
    return 'reset';
  });
}

/**
 * The admin lifts a pause on the person's sign-in (too many wrong passwords from many places):
 * they can log in again at once, and the failures behind the pause are forgotten.
 */
export async function unlockSignIn(db: Db, actor: Actor, id: number): Promise<'unlocked' | 'notLocked'> {
  assertAdmin(actor);
  return db.transaction().execute(async (trx) => {
    const person = await loadPerson(trx, id);
    if (!(await liftLoginLock(trx, person.email))) return 'notLocked';
    await recordAudit(trx, actor, { action: 'user.signInUnlocked', subjectType: 'user', subjectId: id });
    return 'unlocked';
  });
}
