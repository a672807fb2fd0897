import { createHmac, randomBytes } from 'node:crypto';

/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): HMAC-SHA1, a 30-second step, six
 * digits, the secret in base32 (RFC 4648) as authenticator apps expect it. Written here on
 * node:crypto: small, and the RFCs' own test vectors check it (test/auth/totp.test.ts).
 */
export const TOTP = { stepSeconds: 30, digits: 6, algorithm: 'sha1' as const };

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** Spaces, dashes, padding and case as people and apps write them are ignored; null for any other character. */
export function base32Decode(text: string): Buffer | null {
  const clean = text.toUpperCase().replace(/[\s=-]/g, '');
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of clean) {
    const index = ALPHABET.indexOf(char);
    if (index < 0) return null;
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A new secret: 160 random bits (RFC 4226's recommended length), base32. */
export function newSecret(): string {
  return base32Encode(randomBytes(20));
}

/** The time step a moment falls in (seconds since the epoch / 30). */
export function stepAt(ms: number): number {
  return Math.floor(ms / 1000 / TOTP.stepSeconds);
}

/** RFC 4226's HOTP of a counter, as the zero-padded decimal string. */
export function hotp(key: Buffer, counter: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const digest = createHmac(TOTP.algorithm, key).update(message).digest();
  const offset = digest[digest.length - 1]! & 0x0f;
  const binary = ((digest[offset]! & 0x7f) << 24) | (digest[offset + 1]! << 16) | (digest[offset + 2]! << 8) | digest[offset + 3]!;
  return String(binary % 10 ** TOTP.digits).padStart(TOTP.digits, '0');
}

/** The code an authenticator shows for this secret at this moment. */
export function totpAt(secret: string, ms: number): string {
  return hotp(base32Decode(secret) ?? Buffer.alloc(0), stepAt(ms));
}

/**
 * The step whose code this is, looking one step either side of now (a clock a little off, a code
 * typed as it changed); null when none matches. The caller refuses a step it has already accepted.
 */
export function matchingStep(secret: string, code: string, ms = Date.now()): number | null {
  if (!new RegExp(`^\\d{${TOTP.digits}}$`).test(code)) return null;
  const key = base32Decode(secret);
  if (!key) return null;
  const now = stepAt(ms);
  for (const step of [now, now - 1, now + 1]) {
    if (constantTimeSame(hotp(key, step), code)) return step;
  }
  return null;
}

function constantTimeSame(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
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
