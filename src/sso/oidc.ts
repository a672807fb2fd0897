import type { Configuration, IDToken } from 'openid-client';
import { recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import { Invalid } from '../lib/errors.js';
import { sideOf } from '../policy/can.js';
import type { Role } from '../db/schema.js';
import { randomToken, sha256 } from '../lib/crypto.js';
import { isoIn, nowIso } from '../lib/time.js';
import { createCustomer } from '../users/customers.js';
import { toActor, type Actor } from '../users/actor.js';
import { findUserByEmail } from '../users/queries.js';
import { domainAllowed, servesSide, type Provider } from './providers.js';
import { isLoopback } from './schemas.js';

/**
 * The OpenID Connect side of single sign-on, with openid-client: discovery, the authorization code
 * flow with PKCE (S256), state and nonce, the ID token verified by the library (signature, issuer,
 * audience, expiry, nonce). Only a verified address links or creates a person.
 */

/** How long a person may take at the provider. */
export const FLOW_TTL = 10 * 60_000;
export const FLOW_COOKIE = 'deskbell_sso';
/** Discovery documents are kept this long per provider (and forgotten when the provider changes). */
const DISCOVERY_TTL = 60 * 60_000;

/** openid-client (with oauth4webapi and jose) is loaded with the first single sign-on, not at start. */
let library: Promise<typeof import('openid-client')> | undefined;
const openid = () => (library ??= import('openid-client'));

const discovered = new Map<number, { key: string; at: number; config: Configuration }>();

async function configurationFor(provider: Provider): Promise<Configuration> {
  const key = `${provider.issuer}\n${provider.client_id}\n${sha256(provider.client_secret)}\n${provider.updated_at}`;
  const cached = discovered.get(provider.id);
  if (cached && cached.key === key && Date.now() - cached.at < DISCOVERY_TTL) return cached.config;
  const issuer = new URL(provider.issuer);
  const client = await openid();
  const config = await client.discovery(issuer, provider.client_id, undefined, client.ClientSecretBasic(provider.client_secret), {
    // Plain http only to a provider on this machine (the schema refuses it anywhere else).
    ...(issuer.protocol === 'http:' && isLoopback(issuer) ? { execute: [client.allowInsecureRequests] } : {}),
    timeout: 10,
  });
  discovered.set(provider.id, { key, at: Date.now(), config });
  return config;
}

export function callbackUrl(baseUrl: string, providerId: number): string {
  return `${baseUrl}/login/sso/${providerId}/callback`;
}

/** Begin a sign-in: the provider's authorization URL, and the cookie token that names this flow. */
export async function startFlow(db: Db, provider: Provider, baseUrl: string, next: string | null): Promise<{ url: string; token: string }> {
  const config = await configurationFor(provider);
  const client = await openid();
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: callbackUrl(baseUrl, provider.id), scope: 'openid email profile', response_type: 'code',
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce,
  });
  const token = randomToken();
  await db.deleteFrom('sso_flows').where('expires_at', '<=', nowIso()).execute();
  await db.insertInto('sso_flows').values({
    id: sha256(token), provider_id: provider.id, state, nonce, verifier, next, expires_at: isoIn(FLOW_TTL), created_at: nowIso(),
  }).execute();
  return { url: url.href, token };
}

/** Why a sign-in through a provider was refused: a message key (no secret, no token in it). */
export class SsoRefused extends Invalid {
  constructor(message: string, readonly reason: string = message) { super({}, message); }
}

/**
 * The provider sent the browser back: the flow named by the cookie (used up), the code exchanged
 * (PKCE), state and nonce checked, the ID token verified; then the person it names.
 */
export async function finishFlow(db: Db, provider: Provider, cookie: string | undefined, currentUrl: URL): Promise<{ actor: Actor; next: string | null }> {
  if (!cookie || cookie.length > 100) throw new SsoRefused('sso.failed', 'no flow cookie');
  const flow = await db.selectFrom('sso_flows').selectAll().where('id', '=', sha256(cookie)).executeTakeFirst();
  if (!flow || flow.provider_id !== provider.id || flow.expires_at <= nowIso()) throw new SsoRefused('sso.failed', 'unknown or expired flow');
  await db.deleteFrom('sso_flows').where('id', '=', flow.id).execute();
  const config = await configurationFor(provider);
  const client = await openid();
  let claims: IDToken | undefined;
  try {
    const tokens = await client.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true,
    });
    claims = tokens.claims();
    // Many providers put the address only in the userinfo answer (an ID token conforming to the spec
    // holds no scope claims when an access token is issued): ask there, for the same subject.
    if (claims?.sub && typeof claims.email !== 'string') {
      const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      claims = { ...claims, email: info.email, email_verified: info.email_verified, name: claims.name ?? info.name };
    }
  } catch (error) {
    // The library's message says what failed (state, nonce, signature...) and carries no secret.
    throw new SsoRefused('sso.failed', error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : 'token exchange failed');
  }
  if (!claims?.sub) throw new SsoRefused('sso.failed', 'no subject');
  const actor = await personFor(db, provider, claims);
  return { actor, next: flow.next };
}

/**
 * The person an ID token names: the one linked to its subject before, else the one with its
 * (verified) address, linked now; else a new person when the provider creates them. Audited.
 */
async function personFor(db: Db, provider: Provider, claims: IDToken): Promise<Actor> {
  const subject = String(claims.sub);
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  const verified = claims.email_verified === true || claims.email_verified === 'true';
  return db.transaction().execute(async (trx) => {
    const linked = await trx.selectFrom('sso_identities').innerJoin('users', 'users.id', 'sso_identities.user_id').selectAll('users')
      .where('sso_identities.provider_id', '=', provider.id).where('sso_identities.subject', '=', subject).executeTakeFirst();
    let user = linked;
    if (!user) {
      if (!email || !verified) throw new SsoRefused('sso.unverified', 'address missing or not verified');
      if (!domainAllowed(provider, email)) throw new SsoRefused('sso.domain', 'address outside the provider\'s domains');
      user = await findUserByEmail(trx, email);
      if (!user) {
        if (provider.new_role === 'none') throw new SsoRefused('sso.noAccount', 'no person with this address');
        user = await createPerson(trx, provider, email, typeof claims.name === 'string' ? claims.name : email);
      }
      if (!servesSide(provider, user)) throw new SsoRefused('sso.notForYou', 'provider does not serve this side');
      if (user.state === 'disabled') throw new SsoRefused('sso.disabled', 'account disabled');
      await trx.insertInto('sso_identities').values({ provider_id: provider.id, subject, user_id: user.id, created_at: nowIso(), last_used_at: null }).execute();
      await recordAudit(trx, null, { action: 'user.ssoLinked', subjectType: 'user', subjectId: user.id, details: { provider: provider.name, providerId: provider.id } });
    }
    if (!servesSide(provider, user)) throw new SsoRefused('sso.notForYou', 'provider does not serve this side');
    if (user.state === 'disabled') throw new SsoRefused('sso.disabled', 'account disabled');
    if (user.state === 'invited') {
      // The provider vouched for the address the invitation went to.
      user = await trx.updateTable('users').set({ state: 'active', updated_at: nowIso() }).where('id', '=', user.id).returningAll().executeTakeFirstOrThrow();
    }
    await trx.updateTable('sso_identities').set({ last_used_at: nowIso() })
      .where('provider_id', '=', provider.id).where('subject', '=', subject).execute();
    return toActor(user);
  });
}

async function createPerson(trx: Db, provider: Provider, email: string, name: string) {
  const now = nowIso();
  // New people join on the side the provider names (its new_role, 'none' refused before this point).
  const person = sideOf({ role: provider.new_role as Role }) === 'customer'
    ? await createCustomer(trx, { email, name: name.slice(0, 120), state: 'active', now })
    : await trx.insertInto('users').values({
      email, name: name.slice(0, 120), role: 'agent', state: 'active', password_hash: null, organization_id: null, created_at: now, updated_at: now,
    }).returningAll().executeTakeFirstOrThrow();
  await recordAudit(trx, null, { action: 'user.createdBySso', subjectType: 'user', subjectId: person.id, details: { provider: provider.name, role: person.role } });
  return person;
}

/** Forget a provider's discovery document (it was changed or deleted). */
export function forgetDiscovery(providerId: number): void {
  discovered.delete(providerId);
}

export async function cleanUpFlows(db: Db): Promise<void> {
  await db.deleteFrom('sso_flows').where('expires_at', '<=', nowIso()).execute();
}
