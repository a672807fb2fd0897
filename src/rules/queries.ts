import type { Db } from '../db/connect.js';
import { parseOptions } from '../fields/fields.js';
import { rolesOn } from '../policy/can.js';

/** What the rule form offers to choose from. */
export async function ruleChoices(db: Db) {
  const [statuses, types, groups, organizations, staff, brands, fields] = await Promise.all([
    db.selectFrom('statuses').select(['id', 'name', 'retired_at']).orderBy('position').execute(),
    db.selectFrom('ticket_types').select(['id', 'name']).where('retired_at', 'is', null).orderBy('name').execute(),
    db.selectFrom('groups').select(['id', 'name']).orderBy('name').execute(),
    db.selectFrom('organizations').select(['id', 'name']).orderBy('name').limit(500).execute(),
    db.selectFrom('users').select(['id', 'name']).where('role', 'in', rolesOn('staff')).where('state', '=', 'active').orderBy('name').limit(500).execute(),
    db.selectFrom('brands').select(['id', 'name']).orderBy('name').execute(),
    db.selectFrom('fields').select(['key', 'label', 'kind', 'options']).where('retired_at', 'is', null).orderBy('label').execute(),
  ]);
  return {
    statuses: statuses.filter((s) => s.retired_at === null), types, groups, organizations, staff, brands,
    fields: fields.map((f) => ({ ...f, options: parseOptions(f.options).filter((o) => !o.retired) })),
  };
}
