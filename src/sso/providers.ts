import { changedFields, recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import type { Role, User } from '../db/schema.js';
import { Invalid, NotFound } from '../lib/errors.js';
import { refuse, type Checked } from '../lib/form.js';
import { nowIso } from '../lib/time.js';
import { sideOf } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { hasPasswordException } from './password-exception.js';
import type { ProviderInput } from './schemas.js';

/**
 * Single sign-on providers (OpenID Connect, issue 24 point 3), set up by admins on /admin/sso. The
 * client secret is stored to be sent to the provider, never shown again, logged or audited.
 */

export type Provider = NonNullable<Awaited<ReturnType<typeof findProvider>>>;

export function findProvider(db: Db, id: number) {
  return db.selectFrom('sso_providers').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listProviders(db: Db) {
  return db.selectFrom('sso_providers').selectAll().orderBy('name').orderBy('id').execute();
}

/** The buttons on the login page: enabled providers, by name. */
export function loginProviders(db: Db) {
  return db.selectFrom('sso_providers').select(['id', 'name']).where('enabled', '=', 1).orderBy('name').orderBy('id').execute();
}

/** The form's values for a stored provider (the secret stays empty: it is never shown again). */
export function providerValues(provider: Provider | null): Record<string, string> {
  if (!provider) return { forStaff: '1', passwordAllowed: '1', enabled: '1', newRole: 'none' };
  return {
    name: provider.name, issuer: provider.issuer, clientId: provider.client_id, clientSecret: '',
    emailDomains: provider.email_domains.split(',').filter(Boolean).join(', '),
    forStaff: provider.for_staff ? '1' : '', forCustomers: provider.for_customers ? '1' : '',
    newRole: provider.new_role, passwordAllowed: provider.password_allowed ? '1' : '', enabled: provider.enabled ? '1' : '',
  };
}

/** What the audit log keeps of a provider: everything but its secret. */
function audited(row: { name: string; issuer: string; client_id: string; email_domains: string; for_staff: number; for_customers: number; new_role: string; password_allowed: number; enabled: number }) {
  const { name, issuer, client_id, email_domains, for_staff, for_customers, new_role, password_allowed, enabled } = row;
  return { name, issuer, client_id, email_domains, for_staff, for_customers, new_role, password_allowed, enabled };
}

function columns(value: ProviderInput) {
  return {
    name: value.name, issuer: value.issuer, client_id: value.clientId, email_domains: value.emailDomains,
    for_staff: value.forStaff ? 1 : 0, for_customers: value.forCustomers ? 1 : 0, new_role: value.newRole,
    password_allowed: value.passwordAllowed ? 1 : 0, enabled: value.enabled ? 1 : 0,
  };
}

/** A provider needs somebody to sign in: staff, customers or both. */
function check({ value, errors }: Checked<ProviderInput>, creating: boolean): void {
  if (!value.forStaff && !value.forCustomers) errors.forStaff ??= 'sso.admin.nobody';
  // New people must land on a side the provider signs in.
  if (value.newRole !== 'none') {
    const side = sideOf({ role: value.newRole as Role });
    if (side === 'customer' ? !value.forCustomers : !value.forStaff) errors.newRole ??= 'sso.admin.roleNotCovered';
  }
  if (creating && !value.clientSecret) errors.clientSecret ??= 'errors.required';
  refuse(errors);
}

export async function createProvider(db: Db, actor: Actor, input: Checked<ProviderInput>): Promise<number> {
  check(input, true);
  const now = nowIso();
  return db.transaction().execute(async (trx) => {
    const row = { ...columns(input.value), client_secret: input.value.clientSecret, created_at: now, updated_at: now };
    const { id } = await trx.insertInto('sso_providers').values(row).returning('id').executeTakeFirstOrThrow();
    await recordAudit(trx, actor, { action: 'sso.providerCreated', subjectType: 'sso_provider', subjectId: id, after: audited(row) });
    return id;
  });
}

export async function updateProvider(db: Db, actor: Actor, id: number, input: Checked<ProviderInput>): Promise<void> {
  check(input, false);
  await db.transaction().execute(async (trx) => {
    const before = await findProvider(trx, id);
    if (!before) throw new NotFound();
    const after = columns(input.value);
    const secretChanged = input.value.clientSecret !== '' && input.value.clientSecret !== before.client_secret;
    await trx.updateTable('sso_providers')
      .set({ ...after, ...(secretChanged ? { client_secret: input.value.clientSecret } : {}), updated_at: nowIso() })
      .where('id', '=', id).execute();
    const diff = changedFields(audited(before), after);
    await recordAudit(trx, actor, { action: 'sso.providerChanged', subjectType: 'sso_provider', subjectId: id, ...diff, details: { name: after.name, secretChanged } });
  });
}

export async function deleteProvider(db: Db, actor: Actor, id: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await findProvider(trx, id);
    if (!before) throw new NotFound();
    await trx.deleteFrom('sso_providers').where('id', '=', id).execute();
    await recordAudit(trx, actor, { action: 'sso.providerDeleted', subjectType: 'sso_provider', subjectId: id, before: audited(before) });
  });
}

/** The address's domain is one the provider serves (any, when it lists none). */
export function domainAllowed(provider: { email_domains: string }, email: string): boolean {
  const list = provider.email_domains.split(',').filter(Boolean);
  if (list.length === 0) return true;
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  return list.includes(domain);
}

/** The provider signs in people of this side (staff, customers). */
export function servesSide(provider: { for_staff: number; for_customers: number }, person: { role: User['role'] }): boolean {
  return sideOf(person) === 'staff' ? provider.for_staff === 1 : provider.for_customers === 1;
}

/**
 * Whether this person may still sign in with a password: not when an enabled provider that serves
 * them (their side, their address's domain) says password sign-in is off for its people, unless
 * `deskbell user allow-password` made an exception for them (password-exception.ts).
 */
export async function passwordSignInAllowed(db: Db, person: { id: number; role: User['role']; email: string }): Promise<boolean> {
  return !(await providerTookPassword(db, person)) || hasPasswordException(db, person);
}

/** Whether an enabled provider serving this person says password sign-in is off for its people. */
export async function providerTookPassword(db: Db, person: { role: User['role']; email: string }): Promise<boolean> {
  const strict = await db.selectFrom('sso_providers').select(['email_domains', 'for_staff', 'for_customers'])
    .where('enabled', '=', 1).where('password_allowed', '=', 0).execute();
  return strict.some((provider) => servesSide(provider, person) && domainAllowed(provider, person.email));
}

export class PasswordSignInOff extends Invalid {
  constructor() { super({}, 'sso.passwordOff'); }
}
