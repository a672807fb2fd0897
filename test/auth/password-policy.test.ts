import t from 'tap';
import { isCommonPassword } from '../../src/lib/common-passwords.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

// Issue 24, point 5: NIST SP 800-63B passwords: at least 12 characters, up to 1,000, no composition
// rules, not one of the 10,000 most common (the list ships with the code).

/** One of the shipped list's passwords that is long enough, so that only its being common refuses it. */
const COMMON_LONG = 'qwerty123456';

t.test('the shipped list: 10,000 passwords, matched without regard to case', async (t) => {
  t.ok(isCommonPassword('password'), 'password');
  t.ok(isCommonPassword('PassWord'), 'in any case');
  t.ok(isCommonPassword(COMMON_LONG), COMMON_LONG);
  t.notOk(isCommonPassword('correct horse battery'), 'a passphrase is not on it');
});

t.test('a new password: too short, common, too long refused with the form kept; 1,000 characters and any composition accepted', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const user = await makeUser(db, 'agent');
  const client = new Client(app);
  await client.login(user.email, PASSWORD);
  await client.get('/account');

  const change = (password: string) => client.post('/account/password', { current: PASSWORD, password, confirm: password });
  const short = await change('elevenchars');
  t.equal(short.statusCode, 422);
  t.match(short.body, 'The password needs at least 12 characters.');
  const common = await change(COMMON_LONG);
  t.equal(common.statusCode, 422);
  t.match(common.body, 'This password is one of the most common ones: choose another.');
  const upper = await change(COMMON_LONG.toUpperCase());
  t.equal(upper.statusCode, 422, 'in capitals too');
  const tooLong = await change('x'.repeat(1001));
  t.equal(tooLong.statusCode, 422);
  t.match(tooLong.body, 'This is too long.');

  const longest = 'a sentence of my own '.repeat(50).slice(0, 1000);
  t.equal((await change(longest)).statusCode, 303, '1,000 characters are fine');
  const again = new Client(app);
  t.equal((await again.login(user.email, longest)).headers.location, '/agent', 'and sign in');
  await client.get('/account');
  t.equal((await client.post('/account/password', { current: longest, password: 'alllowercaseletters', confirm: 'alllowercaseletters' })).statusCode, 303,
    'no composition rules: lower-case letters alone will do');
});
