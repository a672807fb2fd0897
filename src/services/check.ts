import type { Db } from '../db/connect.js';
import { Checker, positiveInt } from '../lib/validate.js';
import { findCustomerByEmail, type ServiceState } from './queries.js';

/** A service's fields as the form or one CSV row gives them; groups and organisations by id or by name. */
export interface RawService {
  name?: string;
  customerEmail?: string;
  organizationId?: string;
  organizationName?: string;
  providerGroupId?: string;
  providerGroupName?: string;
  state?: string;
  startsOn?: string;
  endsOn?: string;
}

export interface Lookups {
  groups: { id: number; name: string }[];
  organizations: { id: number; name: string }[];
}

export interface ServiceValues {
  name: string;
  customer_id: number | null;
  organization_id: number | null;
  provider_group_id: number;
  state: ServiceState;
  starts_on: string | null;
  ends_on: string | null;
}

const STATE_WORDS: Record<string, ServiceState> = { active: 'active', inactive: 'ended', ended: 'ended' };

/**
 * Every rule of a service (seed 004): a name, exactly one of a customer (an existing customer's
 * address) or an organisation, a provider group, a state, optional start and end dates in order.
 * Errors land in `check` under the form's field names; the CSV import reports them per row.
 */
export async function checkService(db: Db, check: Checker, raw: RawService, lookups: Lookups): Promise<ServiceValues> {
  const name = check.text('name', raw.name, { max: 200 });
  const email = (raw.customerEmail ?? '').trim() ? check.email('customerEmail', raw.customerEmail) : '';
  const organization = byIdOrName(lookups.organizations, raw.organizationId, raw.organizationName);
  if (organization === null) check.add('organizationId', 'admin.services.noSuchOrganization');
  let customerId: number | null = null;
  if (email && !check.errors.customerEmail) {
    const customer = await findCustomerByEmail(db, email);
    if (!customer || customer.role !== 'customer') check.add('customerEmail', 'admin.services.noSuchCustomer');
    else customerId = customer.id;
  }
  if (email && organization) check.add('organizationId', 'admin.services.oneOwner');
  if (!email && organization === undefined) check.add('customerEmail', 'admin.services.ownerRequired');
  const group = byIdOrName(lookups.groups, raw.providerGroupId, raw.providerGroupName);
  if (group === undefined) check.add('providerGroupId', 'errors.required');
  else if (group === null) check.add('providerGroupId', 'admin.services.noSuchGroup');
  const stateWord = (raw.state ?? '').trim().toLowerCase() || 'active';
  const state = STATE_WORDS[stateWord];
  if (!state) check.add('state', 'admin.services.badState');
  const starts = date(check, 'startsOn', raw.startsOn);
  const ends = date(check, 'endsOn', raw.endsOn);
  if (starts && ends && ends < starts) check.add('endsOn', 'admin.services.endsBeforeStart');
  return {
    name, customer_id: customerId, organization_id: organization?.id ?? null, provider_group_id: group?.id ?? 0,
    state: state ?? 'active', starts_on: starts, ends_on: ends,
  };
}

/** undefined: nothing given; null: given but not found. */
function byIdOrName(rows: { id: number; name: string }[], id?: string, name?: string) {
  if (id?.trim()) return rows.find((r) => r.id === positiveInt(id.trim())) ?? null;
  if (name?.trim()) return rows.find((r) => r.name.toLowerCase() === name.trim().toLowerCase()) ?? null;
  return undefined;
}

function date(check: Checker, field: string, value?: string): string | null {
  const text = (value ?? '').trim();
  if (!text) return null;
  const ms = Date.parse(`${text}T00:00:00Z`);
  // Date.parse rolls 2026-02-30 over to March: the round trip catches it.
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(text);
  if (!valid) check.add(field, 'errors.date');
  return valid ? text : null;
}
