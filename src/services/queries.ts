import type { Db } from '../db/connect.js';

export type ServiceState = 'active' | 'ended';
export const SERVICE_STATES: readonly ServiceState[] = ['active', 'ended'];
export const SERVICE_PAGE = 50;

/** Services newest first, 50 at a time (keyset on id), with whom they serve and who provides them. */
export function listServices(db: Db, { state, beforeId }: { state?: ServiceState; beforeId?: number }) {
  let query = db.selectFrom('services')
    .leftJoin('users as customer', 'customer.id', 'services.customer_id')
    .leftJoin('organizations', 'organizations.id', 'services.organization_id')
    .leftJoin('groups', 'groups.id', 'services.provider_group_id')
    .select([
      'services.id', 'services.name', 'services.state', 'services.starts_on', 'services.ends_on',
      'customer.email as customer_email', 'organizations.name as organization_name', 'groups.name as provider_name',
    ]);
  if (state) query = query.where('services.state', '=', state);
  if (beforeId) query = query.where('services.id', '<', beforeId);
  return query.orderBy('services.id', 'desc').limit(SERVICE_PAGE).execute();
}

export function findService(db: Db, id: number) {
  return db.selectFrom('services').leftJoin('users as customer', 'customer.id', 'services.customer_id')
    .select([
      'services.id', 'services.name', 'services.customer_id', 'services.organization_id', 'services.provider_group_id',
      'services.state', 'services.starts_on', 'services.ends_on', 'customer.email as customer_email',
    ])
    .where('services.id', '=', id).executeTakeFirst();
}

export async function serviceChoices(db: Db) {
  const [groups, organizations] = await Promise.all([
    db.selectFrom('groups').select(['id', 'name']).orderBy('name').execute(),
    db.selectFrom('organizations').select(['id', 'name']).orderBy('name').limit(1000).execute(),
  ]);
  return { groups, organizations };
}

export function findCustomerByEmail(db: Db, email: string) {
  return db.selectFrom('users').select(['id', 'role'])
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase())).executeTakeFirst();
}

/** The same service for the same customer or organisation, to keep a re-imported file from doubling rows. */
export function findSameService(db: Db, name: string, customerId: number | null, organizationId: number | null) {
  return db.selectFrom('services').select('id')
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
    .where('customer_id', customerId === null ? 'is' : '=', customerId)
    .where('organization_id', organizationId === null ? 'is' : '=', organizationId)
    .executeTakeFirst();
}
