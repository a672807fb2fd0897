import type { Generated } from 'kysely';
import type { Role, UserState, ConversationOrder, TokenKind, Bool } from './schema.js';

// The people and access tables of the Database (src/db/schema.ts): people, their sessions and
// tokens, sign-in attempts, organisations, groups, brands, signatures, and the audit log of what
// staff changed.

export interface UsersTable {
  id: Generated<number>;
  email: string;
  name: string;
  role: Role;
  password_hash: string | null;
  state: UserState;
  organization_id: number | null;
  is_org_manager: Generated<Bool>;
  locale: Generated<string>;
  time_zone: string | null;
  notify_prefs: Generated<string>;
  /** How screens look to this person (JSON, src/agent/list-prefs.ts): list columns, landing view. */
  ui_prefs: Generated<string>;
  conversation_order: Generated<ConversationOrder>;
  /** Staff's Markdown signature for their public replies, '' for none (migration 0030; per brand: `signatures`). */
  signature: Generated<string>;
  /** 1: a mail when the account signs in from a browser it has not used before (migration 0035); 0: opted out. */
  new_device_mail: Generated<Bool>;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

export interface SessionsTable {
  id: string;
  user_id: number;
  csrf_secret: string;
  created_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
  /** When the session was last used, to a few minutes (migration 0035); null before that. */
  last_seen_at: string | null;
}

export interface UserTokensTable {
  id: Generated<number>;
  user_id: number | null;
  kind: TokenKind;
  token_hash: string;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

export interface LoginAttemptsTable {
  id: Generated<number>;
  email: string;
  ip: string;
  created_at: string;
}

export interface OrganizationsTable {
  id: Generated<number>;
  name: string;
  domains: Generated<string>;
  members_see_all_tickets: Generated<Bool>;
  notes: Generated<string>;
  created_at: string;
}

export interface GroupsTable {
  id: Generated<number>;
  name: string;
  description: Generated<string>;
  is_restricted: Generated<Bool>;
  created_at: string;
}

export interface GroupMembersTable {
  group_id: number;
  user_id: number;
}

export interface BrandsTable {
  id: Generated<number>;
  name: string;
  from_name: string;
  from_address: string;
  portal_title: string;
  /** `#rrggbb`, or null for the desk's own colours (migration 0013). */
  colour: string | null;
  /** Markdown footer at the bottom of every ticket mail of the brand, '' for none (migration 0030). */
  mail_footer: Generated<string>;
  is_default: Generated<Bool>;
  created_at: string;
  /** The host name its help center answers on, lower case; null: none (migration 0046). */
  host: string | null;
}

/** A staff member's signature for one brand, where it differs from their own (users.signature). */
export interface SignaturesTable {
  user_id: number;
  brand_id: number;
  body: string;
  updated_at: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  actor_id: number | null;
  action: string;
  subject_type: string;
  subject_id: number;
  details: Generated<string>;
  created_at: Generated<string>;
}
