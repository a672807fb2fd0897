import { generateSecret, generateSync, ScureBase32Plugin, verifySync } from 'otplib';

/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): HMAC-SHA1, a 30-second step, six
 * digits, the secret in base32 (RFC 4648) as authenticator apps expect it. The codes are made and
 * checked by otplib (its pure-JS HMAC and base32 plugins); what stays here is our policy around it:
 * one step either side, the step returned so the caller can refuse a replay, and the address for the
 * QR code. test/auth/totp.test.ts and totp-rfc.test.ts hold it to the RFCs' published vectors.
 */
export const TOTP = { stepSeconds: 30, digits: 6, algorithm: 'sha1' as const };

const options = { period: TOTP.stepSeconds, digits: TOTP.digits, algorithm: TOTP.algorithm } as const;
const base32 = new ScureBase32Plugin();
const ALPHABET = /^[A-Z2-7]*$/;

export function base32Encode(bytes: Uint8Array): string {
  return base32.encode(bytes, { padding: false });
}

/** Spaces, dashes, padding and case as people and apps write them are ignored; null for any other character. */
export function base32Decode(text: string): Buffer | null {
  const clean = cleanSecret(text);
  if (clean === null) return null;
  return Buffer.from(base32.decode(clean));
}

function cleanSecret(text: string): string | null {
  const clean = text.toUpperCase().replace(/[\s=-]/g, '');
  return ALPHABET.test(clean) ? clean : null;
}

/** A new secret: 160 random bits (RFC 4226's recommended length), base32. */
export function newSecret(): string {
  return generateSecret({ length: 20 });
}

/** The time step a moment falls in (seconds since the epoch / 30). */
export function stepAt(ms: number): number {
  return Math.floor(ms / 1000 / TOTP.stepSeconds);
}

/** RFC 4226's HOTP of a counter, as the zero-padded decimal string. */
export function hotp(key: Uint8Array, counter: number): string {
  return generateSync({ strategy: 'hotp', secret: new Uint8Array(key), counter, digits: TOTP.digits, algorithm: TOTP.algorithm });
}

/** The code an authenticator shows for this secret at this moment. */
export function totpAt(secret: string, ms: number): string {
  return generateSync({ secret: cleanSecret(secret) ?? '', epoch: Math.floor(ms / 1000), ...options });
}

/**
 * The step whose code this is, looking one step either side of now (a clock a little off, a code
 * typed as it changed); null when none matches. The caller refuses a step it has already accepted.
 */
export function matchingStep(secret: string, code: string, ms = Date.now()): number | null {
  if (!new RegExp(`^\\d{${TOTP.digits}}$`).test(code)) return null;
  const clean = cleanSecret(secret);
  if (!clean) return null;
  // A tolerance of one period: the periods overlapping [now - 30 s, now + 30 s], i.e. the step before, this one and the next.
  const result = verifySync({ secret: clean, token: code, epoch: Math.floor(ms / 1000), epochTolerance: TOTP.stepSeconds, ...options });
  return result.valid ? stepAt(ms) + result.delta : null;
}

/** The otpauth:// address apps read from a QR code (Key Uri Format): `issuer:account`, the secret, the issuer. */
export function otpauthUri(issuer: string, account: string, secret: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const params = new URLSearchParams({ secret, issuer, algorithm: 'SHA1', digits: String(TOTP.digits), period: String(TOTP.stepSeconds) });
  return `otpauth://totp/${label}?${params.toString().replace(/\+/g, '%20')}`;
}

/** The secret in groups of four, easier to type into an app by hand. */
export function groupSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}
