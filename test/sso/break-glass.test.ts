import t from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { cli } from '../helpers/cli.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

// Issue 24: a single sign-on provider that took password sign-in away from staff is broken (down,
// a wrong secret): `deskbell user allow-password --email E` lets that one admin in with their
// password again, audited, until `--off`.

function alert(html: string): string | undefined {
  return /role="alert">([^<]*)</.exec(html)?.[1];
}

t.test('deskbell user allow-password lets one person past a provider that took passwords away', async (t) => {
  const { app, db, dir } = await buildTestDesk(t);
  const ada = await makeUser(db, 'admin', { name: 'Ada', email: 'ada@corp.test' });
  const kim = await makeUser(db, 'agent', { name: 'Kim', email: 'kim@corp.test' });
  const now = new Date().toISOString();
  // The provider points at a closed port: it is down.
  await db.insertInto('sso_providers').values({ name: 'Corp', issuer: 'http://127.0.0.1:9', client_id: 'desk', client_secret: 'secret',
    for_staff: 1, for_customers: 0, password_allowed: 0, email_domains: 'corp.test', created_at: now, updated_at: now }).execute();

  const refused = await new Client(app).login(ada.email, PASSWORD);
  t.equal(refused.statusCode, 422, 'before: Ada\'s password does not sign her in');
  t.equal(alert(refused.body), 'Your account signs in through single sign-on: please use the button for your provider.');

  const result = await cli(dir, 'user', 'allow-password', '--email', 'ADA@corp.test');
  t.equal(result.code, 0, result.err);
  t.match(result.out, 'ada@corp.test may sign in with their password again');
  const audit = await db.selectFrom('audit_log').select(['actor_id', 'subject_id', 'details']).where('action', '=', 'user.passwordAllowed').execute();
  t.equal(audit.length, 1, 'audited');
  t.equal(audit[0]!.actor_id, null, 'by the command, no person');
  t.equal(audit[0]!.subject_id, ada.id);

  const browser = new Client(app);
  const signedIn = await browser.login(ada.email, PASSWORD);
  t.equal(signedIn.statusCode, 303);
  t.equal(signedIn.headers.location, '/agent', 'Ada signs in with her password');
  t.match(await browser.page(`/admin/users/${ada.id}`), 'Allowed by exception (deskbell user allow-password)', 'her page says why');
  t.match(await browser.page(`/admin/users/${kim.id}`), 'Off: a single sign-on provider signs this person in', 'Kim\'s says passwords are off for him');
  t.equal((await new Client(app).login(kim.email, PASSWORD)).statusCode, 422, 'the exception is Ada\'s alone: Kim is still refused');

  t.match((await cli(dir, 'user', 'allow-password', '--email', ada.email)).out, 'already had this exception');
  t.equal((await db.selectFrom('audit_log').select('id').where('action', '=', 'user.passwordAllowed').execute()).length, 1, 'a second run records nothing');

  const off = await cli(dir, 'user', 'allow-password', '--email', ada.email, '--off');
  t.equal(off.code, 0, off.err);
  t.match(off.out, 'ada@corp.test no longer has an exception');
  t.equal((await db.selectFrom('audit_log').select('actor_id').where('action', '=', 'user.passwordAllowedWithdrawn').execute()).length, 1, 'withdrawing is audited');
  t.equal((await new Client(app).login(ada.email, PASSWORD)).statusCode, 422, 'after --off the provider decides again');
  t.match((await cli(dir, 'user', 'allow-password', '--email', ada.email, '--off')).out, 'had no exception; nothing changed');

  // The exception names the address it was given for: a new address under the same id does not inherit it.
  t.equal((await cli(dir, 'user', 'allow-password', '--email', ada.email)).code, 0);
  await db.updateTable('users').set({ email: 'ada2@corp.test' }).where('id', '=', ada.id).execute();
  t.equal((await new Client(app).login('ada2@corp.test', PASSWORD)).statusCode, 422, 'a changed address is refused again');

  const unknown = await cli(dir, 'user', 'allow-password', '--email', 'nobody@corp.test');
  t.equal(unknown.code, 1);
  t.match(unknown.err, 'nobody has the address nobody@corp.test');
  t.equal((await cli(dir, 'user', 'allow-password')).code, 2, 'without --email: usage');
  t.match((await cli(dir, 'help')).out, 'user allow-password --email E [--off]', 'the usage lists it');
});

t.test('allow-password tells of a person without a password how to set one', async (t) => {
  const { db, dir } = await buildTestDesk(t);
  await makeUser(db, 'agent', { email: 'new@corp.test', password: null });
  const result = await cli(dir, 'user', 'allow-password', '--email', 'new@corp.test');
  t.equal(result.code, 0, result.err);
  t.match(result.out, 'They have no password yet');
});
