import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { throttle, type Limit } from '../auth/throttle.js';
import { beginSession, homeOf } from '../auth/routes-two-factor.js';
import { CHALLENGE_COOKIE, DEVICE_COOKIE, DEVICE_TTL, endChallenge, findChallenge, hasTwoFactor, rememberDevice } from '../auth/two-factor.js';
import { Conflict, Invalid, NotFound } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { statusOf } from '../plugins/errors.js';
import { allow, safeNext } from '../plugins/guards.js';
import { cookieOptions } from '../plugins/session.js';
import { personId } from '../people/routes.js';
import { loginProviders, PasswordSignInOff, passwordSignInAllowed } from '../sso/providers.js';
import { homeFor } from '../users/actor.js';
import {
  addPasskey, listPasskeys, loginOptions, registrationOptions, relyingParty, removePasskey, secondStepOptions, verifyPasskey,
} from './passkeys.js';
import { passkeySchema, passkeySignInSchema } from './schemas.js';

type Form = Record<string, string | undefined>;

/** Challenges a person or an address may ask for: far more than anyone signing in needs, few enough to keep the table small. */
const LIMITS_PASSKEY_OPTIONS: Limit = { max: 30, windowMs: 15 * 60_000 };

/**
 * Passkeys: `/account/passkeys` (list, add, remove), `/login/passkey` (sign in without a password)
 * and `/login/two-factor/passkey` (the second step). The `.../options` routes answer JSON for the
 * page's script (public/js/passkeys.js); the browser's answer comes back in a plain form post.
 */
export default async function passkeyRoutes(app: FastifyInstance) {
  const { db } = app;
  const signedIn = { preHandler: allow('account.use') };
  const rp = (request: FastifyRequest) => relyingParty(app.mail.baseUrl, request.t('app.name'));
  const json = (reply: FastifyReply, body: unknown) => reply.header('Cache-Control', 'no-store').type('application/json; charset=utf-8').send(JSON.stringify(body));

  async function accountPage(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) {
    const passkeys = await listPasskeys(db, request.actor!.id);
    return reply.page('account/passkeys', { passkeys, values: {}, errors: {}, ...extra }, { status });
  }

  app.get('/account/passkeys', signedIn, async (request, reply) => accountPage(request, reply));

  app.post('/account/passkeys/options', signedIn, async (request, reply) => {
    await throttle(db, `passkey-options:${request.actor!.id}`, LIMITS_PASSKEY_OPTIONS);
    return json(reply, await registrationOptions(db, rp(request), request.actor!));
  });

  app.post<{ Body: Form }>('/account/passkeys', signedIn, async (request, reply) => {
    const form = request.body ?? {};
    try {
      await addPasskey(db, rp(request), request.actor!, parseForm(passkeySchema, form));
      return reply.seeOther('/account/passkeys', 'passkeys.added');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return accountPage(request, reply, { values: { name: form.name ?? '' }, errors: error.fields, message: request.t(error.message) }, 422);
    }
  });

  app.post<{ Params: { id: string } }>('/account/passkeys/:id/delete', signedIn, async (request, reply) => {
    try {
      await removePasskey(db, request.actor!, personId(request.params));
    } catch (error) {
      if (!(error instanceof Conflict)) throw error;
      return reply.seeOther('/account/passkeys', error.message);
    }
    return reply.seeOther('/account/passkeys', 'passkeys.removed');
  });

  // --- signing in with a passkey instead of a password ---

  app.post('/login/passkey/options', async (request, reply) => {
    await throttle(db, `passkey-login:${request.ip}`, LIMITS_PASSKEY_OPTIONS);
    return json(reply, await loginOptions(db, rp(request)));
  });

  app.post<{ Body: Form }>('/login/passkey', async (request, reply) => {
    const form = request.body ?? {};
    try {
      const { credential } = parseForm(passkeySignInSchema, form);
      const actor = await verifyPasskey(db, rp(request), credential, 'login', null);
      // Where a provider took local sign-in away from its people, their passkeys go with their passwords.
      if (!(await passwordSignInAllowed(db, actor))) throw new PasswordSignInOff();
      // The passkey proved both factors (the device, and its PIN or biometrics): the session begins.
      await beginSession(request, reply, actor.id);
      return reply.seeOther(safeNext(form.next) ?? homeFor(actor));
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('auth/login', {
        values: { next: safeNext(form.next) ?? '' }, errors: {}, message: request.t(error.message), providers: await loginProviders(db),
      }, { status: 422 });
    }
  });

  // --- a passkey as the second step after the password ---

  app.post('/login/two-factor/passkey/options', async (request, reply) => {
    const challenge = await findChallenge(db, request.cookies[CHALLENGE_COOKIE]);
    if (!challenge || challenge.purpose !== 'verify') throw new NotFound('twoFactor.expired');
    return json(reply, await secondStepOptions(db, rp(request), challenge.user_id));
  });

  app.post<{ Body: Form }>('/login/two-factor/passkey', async (request, reply) => {
    const challenge = await findChallenge(db, request.cookies[CHALLENGE_COOKIE]);
    if (!challenge || challenge.purpose !== 'verify') return reply.seeOther('/login', 'twoFactor.expired');
    const form = request.body ?? {};
    try {
      const { credential, remember } = parseForm(passkeySignInSchema, form);
      await verifyPasskey(db, rp(request), credential, 'second', challenge.user_id);
      if (!(await endChallenge(db, challenge.id))) return reply.seeOther('/login', 'twoFactor.expired');
      reply.clearCookie(CHALLENGE_COOKIE, { path: '/' });
      if (remember) reply.setCookie(DEVICE_COOKIE, await rememberDevice(db, app.config.secretKey, challenge.user_id), cookieOptions(app.config, DEVICE_TTL));
      await beginSession(request, reply, challenge.user_id);
      return reply.seeOther(safeNext(challenge.next) ?? await homeOf(db, challenge.user_id));
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('auth/two-factor', {
        values: {}, errors: {}, message: request.t(error.message), codeOn: await hasTwoFactor(db, challenge.user_id), passkeyOn: true,
      }, { status: statusOf(error) });
    }
  });
}
