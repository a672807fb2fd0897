import { recordAudit } from '../admin/audit.js';
import { issueResetToken, revokeTokens } from '../auth/auth.js';
import { endAllSessions } from '../auth/sessions.js';
import type { Db } from '../db/connect.js';
import { readOrganizationChoice } from '../organizations/choice.js';
import type { Role, User } from '../db/schema.js';
import { Conflict, Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { Checker } from '../lib/validate.js';
import { composeMail } from '../mail/compose.js';
import type { MailContext } from '../mail/context.js';
import { queueMail } from '../mail/outbox.js';
import { ROLES, type Actor } from '../users/actor.js';
import { inviteCustomer } from '../users/invitations.js';
import { findUserByEmail, findUserById } from '../users/queries.js';
import { addPerson } from '../users/users.js';
import { otherActiveAdmins } from './queries.js';

/** People are managed by admins only; every verb here starts with this. */
export function assertAdmin(actor: Actor): void {
  if (actor.role !== 'admin') throw new Forbidden();
}

export async function loadPerson(db: Db, id: number): Promise<User> {
  const person = await findUserById(db, id);
  if (!person) throw new NotFound();
  return person;
}

/** A desk always keeps one active admin: whoever would remove the last one (themselves) is refused. */
export async function assertAdminRemains(db: Db, person: User): Promise<void> {
  if (person.role === 'admin' && person.state === 'active' && await otherActiveAdmins(db, person.id) === 0) {
    throw new Conflict('admin.users.errors.lastAdmin');
  }
}

/** Erased records keep their id (messages point at them) but are never brought back. */
export const ERASED_DOMAIN = 'erased.invalid';
export const isErased = (person: User) => person.email.endsWith(`@${ERASED_DOMAIN}`);

export interface CreatePersonInput {
  name?: unknown;
  email?: unknown;
  role?: unknown;
  method?: unknown;
  password?: unknown;
  organizationId?: unknown;
}

/**
 * An admin adds a person: with a password they can log in at once (seed 002: accounts "created by
 * administrator"); otherwise they are invited and get the "Create password" mail, staff included.
 */
export async function createPerson(db: Db, actor: Actor, input: CreatePersonInput, mail: MailContext): Promise<number> {
  assertAdmin(actor);
  const check = new Checker();
  const email = check.email('email', input.email);
  check.text('name', input.name, { max: 120 });
  const role = check.oneOf<Role>('role', input.role, ROLES);
  const method = check.oneOf('method', input.method, ['invite', 'password'] as const);
  if (method === 'password') check.password('password', input.password);
  const organizationId = role === 'customer' ? await readOrganizationChoice(db, check, input.organizationId) : null;
  check.done();

  return db.transaction().execute(async (trx) => {
    if (await findUserByEmail(trx, email)) throw new Invalid({ email: 'errors.emailTaken' });
    const { id } = await addPerson(trx, actor, {
      email, name: input.name, role, organizationId,
      password: method === 'password' ? input.password : undefined,
    });
    const person = await loadPerson(trx, id);
    if (method === 'invite') await inviteCustomer(trx, person, mail);
    await recordAudit(trx, actor, {
      action: 'user.created', subjectType: 'user', subjectId: id,
      after: { email: person.email, name: person.name, role, state: person.state, organization_id: person.organization_id },
      details: { method },
    });
    return id;
  });
}

export async function changeRole(db: Db, actor: Actor, id: number, input: { role?: unknown }): Promise<void> {
  assertAdmin(actor);
  const check = new Checker();
  const role = check.oneOf<Role>('role', input.role, ROLES);
  check.done();
  await db.transaction().execute(async (trx) => {
    const person = await loadPerson(trx, id);
    if (person.role === role) return;
    await assertAdminRemains(trx, person);
    // Organisations group customers: someone who becomes staff leaves theirs.
    const leaves = role !== 'customer' && person.organization_id !== null;
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
export async function setPersonState(db: Db, actor: Actor, id: number, input: { state?: unknown }): Promise<'disabled' | 'enabled'> {
  assertAdmin(actor);
  const check = new Checker();
  const wanted = check.oneOf('state', input.state, ['disabled', 'active'] as const);
  check.done();
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
export async function sendPasswordLink(db: Db, actor: Actor, id: number, mail: MailContext): Promise<'reset' | 'invitation'> {
  assertAdmin(actor);
  return db.transaction().execute(async (trx) => {
    const person = await loadPerson(trx, id);
    if (person.state === 'disabled') throw new Conflict('admin.users.errors.disabled');
    if (person.state === 'invited') {
      await revokeTokens(trx, id, ['invite']);
      await inviteCustomer(trx, person, mail);
      await recordAudit(trx, actor, { action: 'user.invitationSent', subjectType: 'user', subjectId: id });
      return 'invitation';
    }
    const token = await issueResetToken(trx, id);
    await queueMail(trx, await composeMail(trx, mail, {
      to: person, template: 'emails/reset',
      subject: (t, brand) => t('mail.reset.subject', { portal: brand.portal_title }),
      data: { person, link: `${mail.baseUrl}/password/reset?token=${token}` },
    }));
    await recordAudit(trx, actor, { action: 'user.passwordResetSent', subjectType: 'user', subjectId: id });
    return 'reset';
  });
}
