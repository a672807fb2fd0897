import type { Generated } from 'kysely';

/** A person's passkey (migration 0043): a WebAuthn credential, its public key and signature counter. */
export interface PasskeysTable {
  id: Generated<number>;
  user_id: number;
  /** base64url, as the browser names the credential. */
  credential_id: string;
  /** The COSE public key, base64url. */
  public_key: string;
  counter: Generated<number>;
  /** The transports the browser reported ("internal,hybrid"), to hint the next sign-in. */
  transports: Generated<string>;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

export type ChallengeUse = 'register' | 'login' | 'second';

/** A challenge handed to a browser (its hash), single use, for a few minutes. */
export interface WebauthnChallengesTable {
  id: string;
  purpose: ChallengeUse;
  /** The person it is for; null for a sign-in without a password (nobody known yet). */
  user_id: number | null;
  expires_at: string;
  created_at: string;
}

declare module '../db/schema.js' {
  interface Database {
    passkeys: PasskeysTable;
    webauthn_challenges: WebauthnChallengesTable;
  }
}
