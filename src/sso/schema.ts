import type { Generated } from 'kysely';

/** Who a provider may create: nobody (link existing people only), customers or agents. */
export type NewPersonRole = 'none' | 'customer' | 'agent';

/** An OpenID Connect provider set up by admins (migration 0043). */
export interface SsoProvidersTable {
  id: Generated<number>;
  /** What the button says: "Sign in with {name}". */
  name: string;
  issuer: string;
  client_id: string;
  /** Never shown again nor logged once saved. */
  client_secret: string;
  /** Comma-separated domains whose addresses may sign in; empty: any. */
  email_domains: Generated<string>;
  for_staff: Generated<number>;
  for_customers: Generated<number>;
  new_role: Generated<NewPersonRole>;
  /** 0: the people this provider covers may no longer sign in with a password. */
  password_allowed: Generated<number>;
  enabled: Generated<number>;
  created_at: string;
  updated_at: string;
}

/** A sign-in sent to a provider, not back yet: what the answer is checked against. */
export interface SsoFlowsTable {
  /** The hash of the browser's cookie. */
  id: string;
  provider_id: number;
  state: string;
  nonce: string;
  /** The PKCE code verifier. */
  verifier: string;
  next: string | null;
  expires_at: string;
  created_at: string;
}

/** A provider's subject, linked to a person. */
export interface SsoIdentitiesTable {
  provider_id: number;
  subject: string;
  user_id: number;
  created_at: string;
  last_used_at: string | null;
}

declare module '../db/schema.js' {
  interface Database {
    sso_providers: SsoProvidersTable;
    sso_flows: SsoFlowsTable;
    sso_identities: SsoIdentitiesTable;
  }
}
