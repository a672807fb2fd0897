import type { Db } from '../db/connect.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Conflict, Invalid, NotFound, TooManyRequests } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { statusOf } from '../plugins/errors.js';
import { allow, safeNext } from '../plugins/guards.js';
import { cookieOptions, SESSION_COOKIE, setSessionCookie } from '../plugins/session.js';
import { personId } from '../people/routes.js';
import { homeFor, toActor, type Actor } from '../users/actor.js';
import { findUserById } from '../users/queries.js';
import { hasPasskeys, hasSecondFactor } from '../passkeys/passkeys.js';
import { PasswordSignInOff, passwordSignInAllowed } from '../sso/providers.js';
import { twoFactorCodeSchema } from './schemas.js';
import { noteDevice } from './session-list.js';
import { endSession, startSession } from './sessions.js';
import { groupSecret, otpauthUri } from './totp.js';
import {
  beginEnrolment, CHALLENGE_COOKIE, CHALLENGE_TTL, checkSecondFactor, confirmEnrolment, DEVICE_COOKIE, DEVICE_TTL, endChallenge,
  findChallenge, hasTwoFactor, isRememberedDevice, pendingSecretFor, rememberDevice, renewRecoveryCodes, resetTwoFactor,
  startChallenge, turnOffTwoFactor, twoFactorRequired, twoFactorStatus,
} from './two-factor.js';

type Form = Record<string, string | undefined>;

/**
 * After the password (or a password link) is right: a session at once, or first the second step
 * when the person has two-factor on (unless this browser is remembered), or first setting it up
 * when admins require it of staff. Every sign-in path ends here.
 */
export async function finishSignIn(request: FastifyRequest, reply: FastifyReply, actor: Actor, next: string | null, flash?: string): Promise<FastifyReply> {
  const { db, config } = request.server;
  // Every password path comes here: a provider may have taken password sign-in away from its people.
  if (!(await passwordSignInAllowed(db, actor))) throw new PasswordSignInOff();
  if (await hasSecondFactor(db, actor.id)) {
    if (await isRememberedDevice(db, config.secretKey, actor.id, request.cookies[DEVICE_COOKIE])) {
      await beginSession(request, reply, actor.id);
      return reply.seeOther(next ?? homeFor(actor), flash);
    }
    reply.setCookie(CHALLENGE_COOKIE, await startChallenge(db, actor.id, 'verify', next), cookieOptions(config, CHALLENGE_TTL));
    return reply.seeOther('/login/two-factor');
  }
  if (await twoFactorRequired(db, actor)) {
    reply.setCookie(CHALLENGE_COOKIE, await startChallenge(db, actor.id, 'enrol', next), cookieOptions(config, CHALLENGE_TTL));
    return reply.seeOther('/login/two-factor/setup', 'twoFactor.setup.required');
  }
  await beginSession(request, reply, actor.id);
  return reply.seeOther(next ?? homeFor(actor), flash);
}

/** A new session id at every sign-in (no fixation); the visitor's old session, if any, ends. */
export async function beginSession(request: FastifyRequest, reply: FastifyReply, userId: number): Promise<void> {
  const { db, config } = request.server;
  const old = request.cookies[SESSION_COOKIE];
  if (old) await endSession(db, old);
  setSessionCookie(reply, config, await startSession(db, userId, config.sessionTtlMs, { ip: request.ip, userAgent: request.headers['user-agent'] }));
  await noteDevice(db, userId, request.headers['user-agent'], request.ip);
}

/** `/login/two-factor` (the second step), `/account/two-factor` (set up, recovery codes, off) and the admin's reset. */
/** Where a person who has just signed in lands (their side's home). */
export async function homeOf(db: Db, userId: number): Promise<string> {
  const user = await findUserById(db, userId);
  if (!user) throw new NotFound();
  return homeFor(toActor(user));
}

export default async function twoFactorRoutes(app: FastifyInstance) {
  const { db, config } = app;
  const signedIn = { preHandler: allow('account.use') };

  /** What the set-up shows: the key as text, the otpauth:// link, and the same link as a QR code (SVG, made here). */
  const enrolData = async (request: FastifyRequest, email: string, secret: string) => {
    const uri = otpauthUri(request.t('app.name'), email, secret);
    // qrcode (and the PNG encoder it brings) is loaded with the first set-up, not at start.
    const { default: QRCode } = await import('qrcode');
    const svg = await QRCode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    // The SVG holds only paths drawn from the link (no text of it): safe to put in the page as it is.
    const qr = svg.replace('<svg ', `<svg role="img" aria-label="${escapeAttribute(request.t('twoFactor.enrol.qr'))}" width="200" height="200" `);
    return { secret: groupSecret(secret), uri, qr };
  };

  /** Which second steps the person has: a code from the app, a passkey, or both. */
  const secondSteps = async (userId: number) => ({ codeOn: await hasTwoFactor(db, userId), passkeyOn: await hasPasskeys(db, userId) });

  /** The waiting second step of this browser, or a trip back to the login page. */
  async function challengeOf(request: FastifyRequest) {
    return findChallenge(db, request.cookies[CHALLENGE_COOKIE]);
  }

  function failed(error: unknown, reply: FastifyReply): Invalid | TooManyRequests {
    if (!(error instanceof Invalid || error instanceof TooManyRequests)) throw error;
    if (error instanceof TooManyRequests) reply.header('Retry-After', String(error.retryAfterSeconds));
    return error;
  }

  // --- the second step of signing in ---

  app.get('/login/two-factor', async (request, reply) => {
    if (request.actor) return reply.seeOther(homeFor(request.actor));
    const challenge = await challengeOf(request);
    if (!challenge || challenge.purpose !== 'verify') return reply.seeOther('/login', 'twoFactor.expired');
    return reply.page('auth/two-factor', { values: {}, errors: {}, ...(await secondSteps(challenge.user_id)) });
  });

  app.post<{ Body: Form }>('/login/two-factor', async (request, reply) => {
    const challenge = await challengeOf(request);
    if (!challenge || challenge.purpose !== 'verify') return reply.seeOther('/login', 'twoFactor.expired');
    const form = request.body ?? {};
    try {
      const { code, remember } = parseForm(twoFactorCodeSchema, form);
      const used = await checkSecondFactor(db, challenge.user_id, code);
      if (!(await endChallenge(db, challenge.id))) return reply.seeOther('/login', 'twoFactor.expired');
      reply.clearCookie(CHALLENGE_COOKIE, { path: '/' });
      if (remember) reply.setCookie(DEVICE_COOKIE, await rememberDevice(db, config.secretKey, challenge.user_id), cookieOptions(config, DEVICE_TTL));
      await beginSession(request, reply, challenge.user_id);
      return reply.seeOther(safeNext(challenge.next) ?? await homeOf(db, challenge.user_id), used === 'recovery' ? 'twoFactor.recoveryUsed' : undefined);
    } catch (error) {
      const refused = failed(error, reply);
      return reply.page('auth/two-factor', {
        ...(await secondSteps(challenge.user_id)),
        values: { remember: form.remember === '1' ? '1' : '' },
        errors: refused instanceof Invalid ? refused.fields : {},
        message: request.t(refused.message, refused.params),
      }, { status: statusOf(refused), fragment: 'auth/_two_factor_form' });
    }
  });

  // Admins require two-factor of staff: one without it sets it up before the session begins.
  app.get('/login/two-factor/setup', async (request, reply) => {
    if (request.actor) return reply.seeOther(homeFor(request.actor));
    const challenge = await challengeOf(request);
    if (!challenge || challenge.purpose !== 'enrol') return reply.seeOther('/login', 'twoFactor.expired');
    const secret = await pendingSecretFor(db, challenge.user_id);
    return reply.page('auth/two-factor-setup', { ...(await enrolData(request, challenge.email, secret)), values: {}, errors: {} });
  });

  app.post<{ Body: Form }>('/login/two-factor/setup', async (request, reply) => {
    const challenge = await challengeOf(request);
    if (!challenge || challenge.purpose !== 'enrol') return reply.seeOther('/login', 'twoFactor.expired');
    const form = request.body ?? {};
    try {
      const { code } = parseForm(twoFactorCodeSchema, form);
      const codes = await confirmEnrolment(db, challenge.user_id, code);
      if (!(await endChallenge(db, challenge.id))) return reply.seeOther('/login', 'twoFactor.expired');
      reply.clearCookie(CHALLENGE_COOKIE, { path: '/' });
      await beginSession(request, reply, challenge.user_id);
      return reply.page('account/two-factor-codes', { codes, continueUrl: safeNext(challenge.next) ?? await homeOf(db, challenge.user_id), enabled: true });
    } catch (error) {
      const refused = failed(error, reply);
      const secret = await pendingSecretFor(db, challenge.user_id);
      return reply.page('auth/two-factor-setup', {
        ...(await enrolData(request, challenge.email, secret)), values: {},
        errors: refused instanceof Invalid ? refused.fields : {}, message: request.t(refused.message, refused.params),
      }, { status: statusOf(refused) });
    }
  });

  // --- one's own two-factor, from the account page ---

  async function accountPage(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) {
    const actor = request.actor!;
    const state = await twoFactorStatus(db, actor.id);
    return reply.page('account/two-factor', {
      state, required: await twoFactorRequired(db, actor), values: {}, errors: {},
      ...(state.pendingSecret ? await enrolData(request, actor.email, state.pendingSecret) : {}),
      ...extra,
    }, { status });
  }

  app.get('/account/two-factor', signedIn, async (request, reply) => accountPage(request, reply));

  app.post('/account/two-factor/setup', signedIn, async (request, reply) => {
    try {
      await beginEnrolment(db, request.actor!.id);
    } catch (error) {
      if (!(error instanceof Conflict)) throw error;
      return reply.seeOther('/account/two-factor', 'twoFactor.alreadyOn');
    }
    return reply.seeOther('/account/two-factor');
  });

  app.post<{ Body: Form }>('/account/two-factor/confirm', signedIn, async (request, reply) => {
    try {
      const { code } = parseForm(twoFactorCodeSchema, request.body ?? {});
      const codes = await confirmEnrolment(db, request.actor!.id, code);
      return reply.page('account/two-factor-codes', { codes, continueUrl: '/account/two-factor', enabled: true });
    } catch (error) {
      if (error instanceof NotFound) return reply.seeOther('/account/two-factor', 'twoFactor.noSetup');
      if (error instanceof Conflict) return reply.seeOther('/account/two-factor', 'twoFactor.alreadyOn');
      const refused = failed(error, reply);
      return accountPage(request, reply, {
        errors: refused instanceof Invalid ? refused.fields : {}, message: request.t(refused.message, refused.params),
      }, statusOf(refused));
    }
  });

  app.post<{ Body: Form }>('/account/two-factor/recovery-codes', signedIn, async (request, reply) => {
    try {
      const { code } = parseForm(twoFactorCodeSchema, request.body ?? {});
      const codes = await renewRecoveryCodes(db, request.actor!, code);
      return reply.page('account/two-factor-codes', { codes, continueUrl: '/account/two-factor', enabled: false });
    } catch (error) {
      if (error instanceof NotFound) return reply.seeOther('/account/two-factor', 'twoFactor.notOn');
      const refused = failed(error, reply);
      return accountPage(request, reply, {
        errors: refused instanceof Invalid ? refused.fields : {}, message: request.t(refused.message, refused.params),
      }, statusOf(refused));
    }
  });

  app.post<{ Body: Form }>('/account/two-factor/off', signedIn, async (request, reply) => {
    try {
      const { code } = parseForm(twoFactorCodeSchema, request.body ?? {});
      await turnOffTwoFactor(db, request.actor!, code);
      return reply.seeOther('/account/two-factor', 'twoFactor.off.done');
    } catch (error) {
      if (error instanceof NotFound) return reply.seeOther('/account/two-factor', 'twoFactor.notOn');
      if (error instanceof Conflict) return reply.seeOther('/account/two-factor', error.message);
      const refused = failed(error, reply);
      return accountPage(request, reply, {
        errors: refused instanceof Invalid ? refused.fields : {}, message: request.t(refused.message, refused.params),
      }, statusOf(refused));
    }
  });

  // --- an admin takes a person's two-factor away (a lost phone): audited, the person is mailed ---

  app.post<{ Params: { id: string } }>('/admin/users/:id/two-factor/reset', { preHandler: allow('admin.access') }, async (request, reply) => {
    const id = personId(request.params);
    const done = await resetTwoFactor(db, request.actor!, id);
    return reply.seeOther(`/admin/users/${id}`, `admin.users.twoFactor.${done}`);
  });
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

