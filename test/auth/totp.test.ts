import t from 'tap';
import { base32Decode, base32Encode, hotp, matchingStep, otpauthUri, totpAt } from '../../src/auth/totp.js';

// RFC 6238, appendix B (SHA-1, the 20-byte ASCII secret "12345678901234567890"), cut to six digits
// as authenticator apps show them; and RFC 4226, appendix D (HOTP).

const SECRET = base32Encode(Buffer.from('12345678901234567890'));

t.test('the RFC 6238 test vectors', async (t) => {
  t.equal(SECRET, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  const vectors: [number, string][] = [
    [59, '94287082'], [1111111109, '07081804'], [1111111111, '14050471'],
    [1234567890, '89005924'], [2000000000, '69279037'], [20000000000, '65353130'],
  ];
  for (const [seconds, eight] of vectors) t.equal(totpAt(SECRET, seconds * 1000), eight.slice(-6), `T=${seconds}`);
});

t.test('the RFC 4226 HOTP values', async (t) => {
  const key = Buffer.from('12345678901234567890');
  t.same([0, 1, 2, 3, 9].map((n) => hotp(key, n)), ['755224', '287082', '359152', '969429', '520489']);
});

t.test('a code matches its step and the steps either side, nothing else', async (t) => {
  const at = 1111111111 * 1000;
  t.equal(matchingStep(SECRET, '050471', at), Math.floor(1111111111 / 30));
  t.equal(matchingStep(SECRET, totpAt(SECRET, at - 30_000), at), Math.floor(1111111111 / 30) - 1, 'the previous step');
  t.equal(matchingStep(SECRET, totpAt(SECRET, at + 30_000), at), Math.floor(1111111111 / 30) + 1, 'the next step');
  t.equal(matchingStep(SECRET, totpAt(SECRET, at + 90_000), at), null, 'not three steps on');
  t.equal(matchingStep(SECRET, '12345', at), null);
  t.equal(matchingStep(SECRET, 'abcdef', at), null);
});

t.test('base32 round trip and the otpauth address', async (t) => {
  t.same(base32Decode('gezd gnbv-gy3t qojq gezdgnbvgy3tqojq=='), Buffer.from('12345678901234567890'));
  t.equal(base32Decode('not base32!'), null);
  t.equal(otpauthUri('Acme Help', 'ann@example.test', SECRET),
    'otpauth://totp/Acme%20Help:ann%40example.test?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Acme%20Help&algorithm=SHA1&digits=6&period=30');
});
