import type { Generated } from 'kysely';

/** A pause of an account's sign-in after too many wrong passwords (docs/security.md). */
export interface LoginLocksTable {
  email: string;
  locked_until: string;
  created_at: string;
}

declare module '../db/schema.js' {
  interface Database {
    login_locks: LoginLocksTable;
  }
}

/** A person's authenticator secret (migration 0035); enabled_at null while the set-up awaits its first code. */
export interface TwoFactorTable {
  user_id: number;
  /** Base32, as the app is given it. */
  secret: string;
  enabled_at: string | null;
  /** The time step of the last code accepted: a code (of that step or an earlier one) is never taken again. */
  last_step: Generated<number>;
  created_at: string;
}

/** One of a person's ten single-use recovery codes (only the hash). */
export interface TwoFactorRecoveryTable {
  id: Generated<number>;
  user_id: number;
  code_hash: string;
  used_at: string | null;
  created_at: string;
}

/** A browser that skips the second step for 30 days; id is the hash of its cookie's token. */
export interface TwoFactorDevicesTable {
  id: string;
  user_id: number;
  expires_at: string;
  created_at: string;
}

export type ChallengePurpose = 'verify' | 'enrol';

/** A password checked, the second step (a code, or setting up when required) still to come. */
export interface TwoFactorChallengesTable {
  id: string;
  user_id: number;
  purpose: ChallengePurpose;
  /** Where to go after signing in (a checked local path). */
  next: string | null;
  expires_at: string;
  created_at: string;
}

/** A browser (its browser and system, or a hash of an unreadable User-Agent) a person has signed in with. */
export interface KnownDevicesTable {
  user_id: number;
  fingerprint: string;
  first_seen_at: string;
}

declare module '../db/schema.js' {
  interface Database {
    known_devices: KnownDevicesTable;
    two_factor: TwoFactorTable;
    two_factor_recovery: TwoFactorRecoveryTable;
    two_factor_devices: TwoFactorDevicesTable;
    two_factor_challenges: TwoFactorChallengesTable;
  }
}
