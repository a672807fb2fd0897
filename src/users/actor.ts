import type { ConversationOrder, Role, User, UserState } from '../db/schema.js';
import { sideOf } from '../policy/can.js';
import type { Teams } from '../policy/tickets.js';

/** Who is acting: passed explicitly into every verb and query scope. */
export interface Actor {
  id: number;
  email: string;
  name: string;
  role: Role;
  /** Absent for actors built by hand (jobs, tests): an active account. A disabled one may do nothing. */
  state?: UserState;
  organizationId: number | null;
  isOrgManager: boolean;
  locale: string;
  timeZone: string | null;
  /** How screens look to them (users.ui_prefs, JSON; read by src/agent/list-prefs.ts). Absent: the defaults. */
  uiPrefs?: string;
  /** Staff: which end of a ticket's conversation comes first (their profile); oldest when absent. */
  conversationOrder?: ConversationOrder;
  /** An agent's groups, loaded only where the single-ticket check needs them (policy/tickets.ts). */
  teams?: Teams;
}

export const ROLES: readonly Role[] = ['admin', 'supervisor', 'agent', 'customer'];

export function toActor(user: User): Actor {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    state: user.state,
    organizationId: user.organization_id,
    isOrgManager: user.is_org_manager === 1,
    locale: user.locale,
    timeZone: user.time_zone,
    uiPrefs: user.ui_prefs,
    conversationOrder: user.conversation_order,
  };
}

/** Where a user lands after logging in. */
export function homeFor(actor: Actor): string {
  return sideOf(actor) === 'staff' ? '/agent' : '/portal';
}
