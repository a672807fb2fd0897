import { createHmac } from 'node:crypto';
import t from 'tap';
import { matchingStep, newSecret, stepAt } from '../../src/auth/totp.js';

// Our verifier (matchingStep, which the sign-in's second step uses) against codes made without it:
// RFC 6238's published values (appendix B: SHA-1, the ASCII secret "12345678901234567890", eight
// digits; apps show the last six), and an RFC 4226 HOTP written here on node:crypto for codes at
// any moment. A library wired wrongly (another period, digit count, hash or secret encoding) fails.

const RFC_SECRET_ASCII = '12345678901234567890';
/** The same 20 bytes in base32, as an authenticator app is given them. */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

/** RFC 6238 appendix B, SHA-1 column: T (seconds) → the eight-digit TOTP. */
const VECTORS: [number, string][] = [
  [59, '94287082'], [1111111109, '07081804'], [1111111111, '14050471'],
  [1234567890, '89005924'], [2000000000, '69279037'], [20000000000, '65353130'],
];

/** RFC 4226 section 5.3 (dynamic truncation), by hand: the reference the library is held to. */
function referenceHotp(key: Buffer, counter: number, digits: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const digest = createHmac('sha1', key).update(message).digest();
  const offset = digest[19]! & 0x0f;
  const binary = digest.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

function base32Bytes(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of text) bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  return Buffer.from((bits.match(/.{8}/g) ?? []).map((byte) => parseInt(byte, 2)));
}

t.test('the reference reproduces RFC 6238\'s published values', async (t) => {
  t.same(base32Bytes(RFC_SECRET), Buffer.from(RFC_SECRET_ASCII), 'the base32 secret is the RFC\'s ASCII secret');
  for (const [seconds, eight] of VECTORS) {
    t.equal(referenceHotp(Buffer.from(RFC_SECRET_ASCII), Math.floor(seconds / 30), 8), eight, `T=${seconds}`);
  }
});

t.test('our verifier accepts the RFC\'s codes (their last six digits) at their moments, and the step they belong to', async (t) => {
  t.equal(matchingStep(RFC_SECRET, '287082', 59_000), 1, 'T=59: 94287082 → 287082, step 1');
  for (const [seconds, eight] of VECTORS) {
    t.equal(matchingStep(RFC_SECRET, eight.slice(-6), seconds * 1000), Math.floor(seconds / 30), `T=${seconds}: ${eight.slice(-6)}`);
  }
  t.equal(matchingStep(RFC_SECRET, '94287082', 59_000), null, 'the eight-digit form is not a six-digit code');
  t.equal(matchingStep(RFC_SECRET, '287083', 59_000), null, 'one digit off');
  t.equal(matchingStep(RFC_SECRET, '287082', 59_000 + 5 * 30_000), null, 'five steps later');
  t.equal(matchingStep('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJR', '287082', 59_000), null, 'another secret');
});

t.test('codes from the reference, now and one step either side, for a secret the desk makes', async (t) => {
  const secret = newSecret();
  t.match(secret, /^[A-Z2-7]{32}$/, '160 bits in base32, unpadded');
  const key = base32Bytes(secret);
  t.equal(key.length, 20);
  const now = Date.now();
  const step = stepAt(now);
  t.equal(matchingStep(secret, referenceHotp(key, step, 6), now), step, 'this step');
  t.equal(matchingStep(secret, referenceHotp(key, step - 1, 6), now), step - 1, 'the one before (a slow hand)');
  t.equal(matchingStep(secret, referenceHotp(key, step + 1, 6), now), step + 1, 'the next (a clock a little ahead)');
  for (const far of [step - 3, step + 3]) {
    const code = referenceHotp(key, far, 6);
    // A code of a far step could, once in a great while, equal one of the three near steps' codes.
    const near = [step - 1, step, step + 1].map((s) => referenceHotp(key, s, 6));
    if (!near.includes(code)) t.equal(matchingStep(secret, code, now), null, `step ${far - step > 0 ? '+' : ''}${far - step} is refused`);
  }
});
