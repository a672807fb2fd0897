import * as z from 'zod';
import { flag, text, withBlank } from '../lib/form.js';

/**
 * The passkey forms. The browser's answer (navigator.credentials' JSON, as @simplewebauthn/browser
 * gives it) travels in a hidden field of a real form, so the pages post and redirect as all others.
 */

/** The browser's answer: JSON of the shape WebAuthn gives, at most 16 kB; anything else is no answer. */
export function credentialField() {
  const schema = z.string({ error: 'passkeys.failed' }).min(2, { error: 'passkeys.failed' }).max(16_000, { error: 'passkeys.failed' })
    .transform((value, ctx) => {
      try {
        const parsed = JSON.parse(value) as unknown;
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
          const record = parsed as Record<string, unknown>;
          const response = record.response as Record<string, unknown> | undefined;
          if (typeof record.id === 'string' && record.type === 'public-key' && response && typeof response === 'object'
            && typeof response.clientDataJSON === 'string') return record;
        }
      } catch { /* refused below */ }
      ctx.addIssue({ code: 'custom', message: 'passkeys.failed' });
      return z.NEVER;
    });
  return withBlank(schema, {} as Record<string, unknown>);
}

/** "Add a passkey": a name of one's choosing (optional) and the browser's answer. */
export const passkeySchema = z.object({
  name: text({ required: false, max: 60 }),
  credential: credentialField(),
});
export type PasskeyInput = z.output<typeof passkeySchema>;

/** "Sign in with a passkey" (from the login page, or as the second step with "remember this browser"). */
export const passkeySignInSchema = z.object({
  credential: credentialField(),
  remember: flag(),
});
