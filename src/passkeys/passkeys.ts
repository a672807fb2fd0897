import type {
  AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { recordAudit } from '../admin/audit.js';
import { hasTwoFactor, twoFactorRequired } from '../auth/two-factor.js';
import type { Db } from '../db/connect.js';
import { Conflict, Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { sha256 } from '../lib/crypto.js';
import { isoIn, nowIso } from '../lib/time.js';
import { can } from '../policy/can.js';
import { toActor, type Actor } from '../users/actor.js';
import type { ChallengeUse } from './schema.js';
import type { PasskeyInput } from './schemas.js';

/**
 * Passkeys (WebAuthn, issue 24 point 2): registered from the account page, used to sign in without a
 * password (user verification required: the device's PIN or biometrics is the second factor), or as
 * the second step after a password. See docs/sign-in.md.
 */

/** The desk as a WebAuthn relying party: its id is the host name of BASE_URL, its origin BASE_URL's. */
export interface RelyingParty {
  id: string;
  name: string;
  origin: string;
}

export function relyingParty(baseUrl: string, name: string): RelyingParty {
  const url = new URL(baseUrl);
  return { id: url.hostname, origin: url.origin, name };
}

/**
 * @simplewebauthn/server, with the X.509 and ASN.1 parsers it brings, is ~0.1 s of module loading:
 * loaded with the first passkey step, not at start.
 */
let library: Promise<typeof import('@simplewebauthn/server')> | undefined;
const webauthn = () => (library ??= import('@simplewebauthn/server'));

/** How long a browser has to answer a challenge. */
export const CHALLENGE_TTL = 5 * 60_000;
export const MAX_PASSKEYS = 20;
/** PostgreSQL's integer: a counter past it is kept at the ceiling (no authenticator gets there in practice). */
const COUNTER_MAX = 2 ** 31 - 1;

export interface PasskeyRow {
  id: number;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export async function listPasskeys(db: Db, userId: number): Promise<PasskeyRow[]> {
  const rows = await db.selectFrom('passkeys').select(['id', 'name', 'created_at', 'last_used_at'])
    .where('user_id', '=', userId).orderBy('id').execute();
  return rows.map((row) => ({ id: row.id, name: row.name, createdAt: row.created_at, lastUsedAt: row.last_used_at }));
}

export async function hasPasskeys(db: Db, userId: number): Promise<boolean> {
  const row = await db.selectFrom('passkeys').select('id').where('user_id', '=', userId).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** A second factor of any kind: the authenticator app, or a passkey. */
export async function hasSecondFactor(db: Db, userId: number): Promise<boolean> {
  return (await hasTwoFactor(db, userId)) || (await hasPasskeys(db, userId));
}

// --- challenges: one row per challenge handed out, by its hash; taken (deleted) when answered ---

async function storeChallenge(db: Db, challenge: string, purpose: ChallengeUse, userId: number | null): Promise<void> {
  await db.deleteFrom('webauthn_challenges').where('expires_at', '<=', nowIso()).execute();
  await db.insertInto('webauthn_challenges').values({
    id: sha256(challenge), purpose, user_id: userId, expires_at: isoIn(CHALLENGE_TTL), created_at: nowIso(),
  }).execute();
}

/** The challenge the browser signed (from its clientDataJSON), if we handed it out for this purpose: it is used up. */
async function takeChallenge(db: Db, clientDataJSON: string, purpose: ChallengeUse, userId: number | null): Promise<string> {
  let challenge: unknown;
  try {
    challenge = (JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown }).challenge;
  } catch {
    challenge = undefined;
  }
  if (typeof challenge !== 'string' || challenge.length > 200) throw failed();
  let query = db.deleteFrom('webauthn_challenges').where('id', '=', sha256(challenge)).where('purpose', '=', purpose)
    .where('expires_at', '>', nowIso());
  query = userId === null ? query.where('user_id', 'is', null) : query.where('user_id', '=', userId);
  const taken = await query.executeTakeFirst();
  if (Number(taken.numDeletedRows) !== 1) throw failed();
  return challenge;
}

const failed = () => new Invalid({ credential: 'passkeys.failed' }, 'passkeys.failed');

// --- registering ---

export async function registrationOptions(db: Db, rp: RelyingParty, actor: Actor): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const existing = await db.selectFrom('passkeys').select(['credential_id', 'transports']).where('user_id', '=', actor.id).execute();
  if (existing.length >= MAX_PASSKEYS) throw new Conflict('passkeys.tooMany');
  const { generateRegistrationOptions } = await webauthn();
  const options = await generateRegistrationOptions({
    rpName: rp.name, rpID: rp.id, userName: actor.email, userDisplayName: actor.name,
    // The user handle names the person (not their address) so a passkey signs in without typing one.
    userID: new TextEncoder().encode(`deskbell-user-${actor.id}`),
    attestationType: 'none',
    excludeCredentials: existing.map((row) => ({ id: row.credential_id, transports: splitTransports(row.transports) })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
  await storeChallenge(db, options.challenge, 'register', actor.id);
  return options;
}

/** The browser's answer to the registration challenge, checked, becomes a passkey of the person. Audited. */
export async function addPasskey(db: Db, rp: RelyingParty, actor: Actor, { name, credential }: PasskeyInput): Promise<number> {
  const response = credential as unknown as RegistrationResponseJSON;
  const challenge = await takeChallenge(db, response.response.clientDataJSON, 'register', actor.id);
  const { verifyRegistrationResponse } = await webauthn();
  let verified;
  try {
    verified = await verifyRegistrationResponse({
      response, expectedChallenge: challenge, expectedOrigin: rp.origin, expectedRPID: rp.id, requireUserVerification: true,
    });
  } catch {
    throw failed();
  }
  if (!verified.verified) throw failed();
  const { credential: made } = verified.registrationInfo;
  return db.transaction().execute(async (trx) => {
    const taken = await trx.selectFrom('passkeys').select('id').where('credential_id', '=', made.id).executeTakeFirst();
    if (taken) throw new Invalid({ credential: 'passkeys.known' }, 'passkeys.known');
    const row = await trx.insertInto('passkeys').values({
      user_id: actor.id, credential_id: made.id, public_key: Buffer.from(made.publicKey).toString('base64url'),
      counter: Math.min(made.counter, COUNTER_MAX), transports: (made.transports ?? []).join(','),
      name: name || 'Passkey', created_at: nowIso(), last_used_at: null,
    }).returning('id').executeTakeFirstOrThrow();
    await recordAudit(trx, actor, { action: 'user.passkeyAdded', subjectType: 'user', subjectId: actor.id, details: { passkey: row.id, name } });
    return row.id;
  });
}

/**
 * Remove one of one's own passkeys (another person's is NotFound). The last second factor of a
 * staff member whom admins require to have one stays. Audited.
 */
export async function removePasskey(db: Db, actor: Actor, id: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('passkeys').select(['id', 'name']).where('id', '=', id).where('user_id', '=', actor.id).executeTakeFirst();
    if (!row) throw new NotFound();
    const count = await trx.selectFrom('passkeys').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', actor.id).executeTakeFirstOrThrow();
    if (Number(count.n) === 1 && !(await hasTwoFactor(trx, actor.id)) && (await twoFactorRequired(trx, actor))) {
      throw new Conflict('passkeys.lastRequired');
    }
    await trx.deleteFrom('passkeys').where('id', '=', id).execute();
    await recordAudit(trx, actor, { action: 'user.passkeyRemoved', subjectType: 'user', subjectId: actor.id, details: { passkey: id, name: row.name } });
  });
}

/**
 * An admin removes one of a person's passkeys (a lost or shared key) from the person's page; a
 * passkey of somebody else is NotFound. Unlike the person's own removal, the last one may go: where
 * admins require a second step, the person is asked to set one up at their next sign-in. Audited.
 */
export async function removePasskeyOf(db: Db, actor: Actor, userId: number, id: number): Promise<void> {
  if (!can(actor, 'people.manage')) throw new Forbidden();
  await db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('passkeys').select(['id', 'name']).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    if (!row) throw new NotFound();
    await trx.deleteFrom('passkeys').where('id', '=', id).execute();
    await recordAudit(trx, actor, { action: 'user.passkeyRemoved', subjectType: 'user', subjectId: userId, details: { passkey: id, name: row.name, by: 'admin' } });
  });
}

// --- signing in ---

/** A sign-in without an address: the browser offers the passkeys it has for this desk. */
export async function loginOptions(db: Db, rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const { generateAuthenticationOptions } = await webauthn();
  const options = await generateAuthenticationOptions({ rpID: rp.id, userVerification: 'required' });
  await storeChallenge(db, options.challenge, 'login', null);
  return options;
}

/** The second step after a password: only this person's passkeys. */
export async function secondStepOptions(db: Db, rp: RelyingParty, userId: number): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const rows = await db.selectFrom('passkeys').select(['credential_id', 'transports']).where('user_id', '=', userId).execute();
  if (rows.length === 0) throw new NotFound('passkeys.none');
  const { generateAuthenticationOptions } = await webauthn();
  const options = await generateAuthenticationOptions({
    rpID: rp.id, userVerification: 'preferred',
    allowCredentials: rows.map((row) => ({ id: row.credential_id, transports: splitTransports(row.transports) })),
  });
  await storeChallenge(db, options.challenge, 'second', userId);
  return options;
}

/**
 * Check a passkey's answer: the challenge we handed out (used up), a passkey we know (of `userId`
 * when given), its signature, origin, relying party and counter. Returns the (active) person.
 */
export async function verifyPasskey(db: Db, rp: RelyingParty, credential: Record<string, unknown>, purpose: 'login' | 'second', userId: number | null): Promise<Actor> {
  const response = credential as unknown as AuthenticationResponseJSON;
  const challenge = await takeChallenge(db, response.response.clientDataJSON, purpose, purpose === 'login' ? null : userId);
  const passkey = await db.selectFrom('passkeys').selectAll().where('credential_id', '=', String(response.id)).executeTakeFirst();
  if (!passkey || (userId !== null && passkey.user_id !== userId)) throw failed();
  const { verifyAuthenticationResponse } = await webauthn();
  let verified;
  try {
    verified = await verifyAuthenticationResponse({
      response, expectedChallenge: challenge, expectedOrigin: rp.origin, expectedRPID: rp.id,
      requireUserVerification: purpose === 'login',
      credential: {
        id: passkey.credential_id, publicKey: new Uint8Array(Buffer.from(passkey.public_key, 'base64url')),
        counter: passkey.counter, transports: splitTransports(passkey.transports),
      },
    });
  } catch {
    throw failed();
  }
  if (!verified.verified) throw failed();
  const user = await db.selectFrom('users').selectAll().where('id', '=', passkey.user_id).executeTakeFirst();
  if (!user || user.state !== 'active') throw failed();
  await db.updateTable('passkeys').set({ counter: Math.min(verified.authenticationInfo.newCounter, COUNTER_MAX), last_used_at: nowIso() })
    .where('id', '=', passkey.id).execute();
  return toActor(user);
}

/** An admin's two-factor reset takes the passkeys too (a lost phone holds both). */
export async function removeAllPasskeys(db: Db, userId: number): Promise<number> {
  const result = await db.deleteFrom('passkeys').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function cleanUpChallenges(db: Db): Promise<void> {
  await db.deleteFrom('webauthn_challenges').where('expires_at', '<=', nowIso()).execute();
}

function splitTransports(value: string): AuthenticatorTransportFuture[] | undefined {
  const list = value.split(',').filter(Boolean) as AuthenticatorTransportFuture[];
  return list.length ? list : undefined;
}

type AuthenticatorTransportFuture = 'ble' | 'cable' | 'hybrid' | 'internal' | 'nfc' | 'smart-card' | 'usb';
