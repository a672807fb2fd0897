import type { Db } from '../db/connect.js';
import type { FieldErrors } from '../lib/errors.js';
import type { Checked } from '../lib/form.js';
import { sideOf } from '../policy/can.js';
import { findCustomerByEmail, type ServiceState } from './queries.js';
import type { ServiceInput } from './schemas.js';

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

/**
 * Every rule of a service (seed 004): a name, exactly one of a customer (an existing customer's
 * address) or an organisation, a provider group, a state, optional start and end dates in order.
 * The form's own mistakes (`found`) and the rules' land in `errors` under the form's field names, in
 * the order the rules run: the CSV import reports them per row, in that order.
 */
export async function checkService(db: Db, { value, errors: found }: Checked<ServiceInput>, lookups: Lookups, errors: FieldErrors): Promise<ServiceValues> {
  const add = (field: string, key: string | undefined) => { if (key) errors[field] ??= key; };
  add('name', found.name);
  add('customerEmail', found.customerEmail);
  // A malformed address was typed too: it counts as a customer given.
  const emailGiven = value.customerEmail !== null || found.customerEmail !== undefined;
  const organization = byIdOrName(lookups.organizations, value.organizationId, value.organizationName);
  if (organization === null) add('organizationId', 'admin.services.noSuchOrganization');
  let customerId: number | null = null;
  if (value.customerEmail !== null) {
    const customer = await findCustomerByEmail(db, value.customerEmail);
    if (!customer || sideOf(customer) !== 'customer') add('customerEmail', 'admin.services.noSuchCustomer');
    else customerId = customer.id;
  }
  if (emailGiven && organization) add('organizationId', 'admin.services.oneOwner');
  if (!emailGiven && organization === undefined) add('customerEmail', 'admin.services.ownerRequired');
  const group = byIdOrName(lookups.groups, value.providerGroupId, value.providerGroupName);
  if (group === undefined) add('providerGroupId', 'errors.required');
  else if (group === null) add('providerGroupId', 'admin.services.noSuchGroup');
  add('state', found.state);
  add('startsOn', found.startsOn);
  add('endsOn', found.endsOn);
  const { startsOn: starts, endsOn: ends } = value;
  if (starts && ends && ends < starts) add('endsOn', 'admin.services.endsBeforeStart');
  return {
    name: value.name, customer_id: customerId, organization_id: organization?.id ?? null, provider_group_id: group?.id ?? 0,
    state: value.state, starts_on: starts, ends_on: ends,
  };
}

/** undefined: nothing given; null: given but not found. An id (the form) wins over a name (a CSV file). */
function byIdOrName(rows: { id: number; name: string }[], id: number | null | undefined, name: string | undefined) {
  if (id !== undefined) return rows.find((r) => r.id === id) ?? null;
  if (name !== undefined) return rows.find((r) => r.name.toLowerCase() === name.toLowerCase()) ?? null;
  return undefined;
}
