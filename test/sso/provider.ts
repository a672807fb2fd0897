// A REAL OpenID provider for the single sign-on tests: the `oidc-provider` package on loopback, with
// one confidential client. Its login screen is replaced by a handler that signs in whoever the test
// named (`signInAs`), so a test (or Chromium) only follows redirects; everything else (discovery,
// PKCE, the code, ID token signing, userinfo) is the provider's own.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import type { Test } from 'tap';

export interface Account {
  email: string;
  email_verified: boolean;
  name: string;
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: Map<string, Account>;
  /** Whoever the provider signs in next (an account's subject). */
  signInAs(subject: string): void;
  /** Follow the provider's redirects from `url` (with no session at the provider) until one leads away from it; returns that address. */
  follow(url: string): Promise<URL>;
}

export async function startOpenIdProvider(t: Test, redirectUris: string[]): Promise<TestProvider> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map<string, Account>();
  let next = '';
  const clientId = 'deskbell-test';
  const clientSecret = 'provider-secret-7f3a9c1e5b2d4a6f8e0c';

  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId, client_secret: clientSecret, redirect_uris: redirectUris,
      grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic',
    }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    async findAccount(_ctx: unknown, sub: string) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...account }) };
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    // Consent is given: the client gets the scopes it asks for (openid email profile).
    async loadExistingGrant(ctx: { oidc: { client: { clientId: string }; session: { accountId: string }; provider: Provider } }) {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    cookies: { keys: ['deskbell-test-cookie-key'] },
  } as never);
  const callback = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/interaction/')) {
      provider.interactionFinished(req, res, { login: { accountId: next } }, { mergeWithLastSubmission: false })
        .catch((error: unknown) => { res.statusCode = 500; res.end(String(error)); });
      return;
    }
    callback(req, res);
  });

  return {
    issuer, clientId, clientSecret, accounts,
    signInAs(subject) { next = subject; },
    async follow(url) {
      // A fresh browser at the provider each time: no session of an earlier sign-in there.
      const jar = new Map<string, string>();
      let at = new URL(url);
      for (let hops = 0; hops < 10; hops++) {
        if (at.origin !== issuer) return at;
        const response = await fetch(at, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
        for (const line of response.headers.getSetCookie()) {
          const [pair] = line.split(';');
          const [name, ...value] = pair!.split('=');
          jar.set(name!.trim(), value.join('='));
        }
        const location = response.headers.get('location');
        if (!location) throw new Error(`the provider answered ${response.status} at ${at.pathname}: ${(await response.text()).slice(0, 300)}`);
        at = new URL(location, at);
      }
      throw new Error('too many redirects at the provider');
    },
  };
}
