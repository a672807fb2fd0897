import * as z from 'zod';
import { email, flag, password, secret, text } from '../lib/form.js';

/**
 * The sign-in forms, read into typed input (src/lib/form.ts). A new password typed twice (the
 * invitation and reset links) is users/schemas.ts's `newPasswordSchema`. What needs the database
 * (the link's token, the password's hash, an address already taken) the verbs check.
 */

/**
 * "Log in": the address as typed, lower-cased and cut at 254 characters (not checked for its form:
 * a wrong one simply fails like a wrong password), and the password as typed.
 */
export const loginSchema = z.object({
  email: z.preprocess((value) => (typeof value === 'string' ? value : ''),
    z.string().trim().toLowerCase().min(1, { error: 'errors.required' }).transform((value) => value.slice(0, 254))),
  password: secret(),
});
export type LoginInput = z.output<typeof loginSchema>;

/** The first admin, through the setup link. */
export const setupSchema = z.object({
  email: email(),
  name: text({ max: 120 }),
  password: password(),
});
export type SetupInput = z.output<typeof setupSchema>;

/** "Forgot password?": the address to send a reset link to. */
export const forgotSchema = z.object({ email: email() });
export type ForgotInput = z.output<typeof forgotSchema>;

/**
 * A link's token as sent (in the query or a hidden field). Anything but one string is no token,
 * which the token check refuses like a wrong one.
 */
export function readToken(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * A second-step code: six digits from the authenticator app or a recovery code, as typed (spaces
 * and dashes are ignored when it is checked); "remember this browser" on the sign-in step.
 */
export const twoFactorCodeSchema = z.object({
  code: z.preprocess((value) => (typeof value === 'string' ? value : ''),
    z.string().trim().min(1, { error: 'errors.required' }).max(64, { error: 'twoFactor.wrongCode' })),
  remember: flag(),
});
export type TwoFactorCodeInput = z.output<typeof twoFactorCodeSchema>;

/**
 * Which session to sign out on the sessions page: one's session id (the hash shown in the page), or
 * `others` for every session but this one. Anything else is refused before a lookup.
 */
export const sessionChoiceSchema = z.object({
  session: z.preprocess((value) => (typeof value === 'string' ? value : ''),
    z.string().regex(/^(?:others|[0-9a-f]{64})$/, { error: 'errors.choice' })),
});
export type SessionChoiceInput = z.output<typeof sessionChoiceSchema>;

/** "Mail me when my account signs in from a new browser" (a box: unticked is off). */
export const newDeviceMailSchema = z.object({ newDeviceMail: flag() });

