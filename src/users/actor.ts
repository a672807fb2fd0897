import type { Role, User } from '../db/schema.js';

/** Who is acting: passed explicitly into every verb and query scope. */
export interface Actor {
  id: number;
  email: string;
  name: string;
  role: Role;
  organizationId: number | null;
  isOrgManager: boolean;
  locale: string;
  timeZone: string | null;
}

export const STAFF_ROLES: readonly Role[] = ['admin', 'supervisor', 'agent'];
export const ROLES: readonly Role[] = ['admin', 'supervisor', 'agent', 'customer'];

export function isStaff(actor: Actor | null): boolean {
  return actor !== null && actor.role !== 'customer';
}

export function isManager(actor: Actor | null): boolean {
  return actor !== null && (actor.role === 'admin' || actor.role === 'supervisor');
}

export function toActor(user: User): Actor {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    organizationId: user.organization_id,
    isOrgManager: user.is_org_manager === 1,
    locale: user.locale,
    timeZone: user.time_zone,
  };
}

/** Where a user lands after logging in. */
export function homeFor(actor: Actor): string {
  return isStaff(actor) ? '/agent' : '/portal';
}
