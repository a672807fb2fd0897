import { hasTwoFactor } from '../auth/two-factor.js';
import type { Db } from '../db/connect.js';
import type { User } from '../db/schema.js';
import { listPasskeys, type PasskeyRow } from '../passkeys/passkeys.js';
import { listIdentities, type IdentityRow } from '../sso/identities.js';
import { hasPasswordException } from '../sso/password-exception.js';
import { providerTookPassword } from '../sso/providers.js';

/** How a person can sign in, for their admin page: password, app codes, passkeys, providers. */
export interface SignInMethods {
  /** 'on'; 'sso': a provider took it away; 'exception': it did, and `deskbell user allow-password` gave it back. */
  password: 'on' | 'sso' | 'exception';
  twoFactor: boolean;
  passkeys: PasskeyRow[];
  identities: IdentityRow[];
}

export async function signInMethods(db: Db, person: Pick<User, 'id' | 'role' | 'email'>): Promise<SignInMethods> {
  const taken = await providerTookPassword(db, person);
  return {
    password: !taken ? 'on' : (await hasPasswordException(db, person)) ? 'exception' : 'sso',
    twoFactor: await hasTwoFactor(db, person.id),
    passkeys: await listPasskeys(db, person.id),
    identities: await listIdentities(db, person.id),
  };
}
