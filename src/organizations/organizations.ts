import { changedFields, recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import { Invalid, NotFound, type FieldErrors } from '../lib/errors.js';
import { refuse } from '../lib/form.js';
import { nowIso } from '../lib/time.js';
import { assertAdmin } from '../people/people.js';
import type { Actor } from '../users/actor.js';
import { domainsOf, storedDomains } from './domains.js';
import { findOrganization, findOrganizationByName, otherOrganizationsDomains } from './queries.js';
import type { OrganizationInput } from './schemas.js';

/** The form's values for an organisation as stored. */
export function organizationValues(org: { name: string; domains: string; members_see_all_tickets: number; notes: string }) {
  return { name: org.name, domains: domainsOf(org.domains).join(', '), membersSeeAllTickets: org.members_see_all_tickets ? '1' : '', notes: org.notes };
}

/** The row's values from the form, once no other organisation has its name or one of its domains. */
async function checkInput(db: Db, id: number | null, { name, domains, membersSeeAllTickets, notes }: OrganizationInput) {
  const errors: FieldErrors = {};
  const sameName = await findOrganizationByName(db, name);
  if (sameName && sameName.id !== id) errors.name = 'admin.orgs.errors.nameTaken';
  // A domain belongs to one organisation, or auto-join could not know which to pick.
  const claimed = new Map((await otherOrganizationsDomains(db, id)).flatMap((o) => domainsOf(o.domains).map((d) => [d, o.name] as const)));
  const clash = domains.find((d) => claimed.has(d));
  if (clash) throw new Invalid({ domains: 'admin.orgs.errors.domainTaken' }, 'admin.orgs.errors.domainTaken', { domain: clash, organization: claimed.get(clash)! });
  refuse(errors);
  return { name, domains: storedDomains(domains), members_see_all_tickets: membersSeeAllTickets ? 1 as const : 0 as const, notes };
}

export async function createOrganization(db: Db, actor: Actor, input: OrganizationInput): Promise<number> {
  assertAdmin(actor);
  return db.transaction().execute(async (trx) => {
    const values = await checkInput(trx, null, input);
    const row = await trx.insertInto('organizations').values({ ...values, created_at: nowIso() })
      .returning('id').executeTakeFirstOrThrow();
    await recordAudit(trx, actor, { action: 'organization.created', subjectType: 'organization', subjectId: row.id, after: values });
    return row.id;
  });
}

export async function updateOrganization(db: Db, actor: Actor, id: number, input: OrganizationInput): Promise<void> {
  assertAdmin(actor);
  await db.transaction().execute(async (trx) => {
    const org = await findOrganization(trx, id);
    if (!org) throw new NotFound();
    const values = await checkInput(trx, id, input);
    const { before, after } = changedFields(org, values);
    if (Object.keys(after).length === 0) return;
    await trx.updateTable('organizations').set(values).where('id', '=', id).execute();
    await recordAudit(trx, actor, { action: 'organization.updated', subjectType: 'organization', subjectId: id, before, after });
  });
}
