import t from 'tap';
import type { Db } from '../../src/db/connect.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

// Issue 24: a person's page shows admins how the person signs in (password, app codes, passkeys,
// single sign-on links), and lets them remove a passkey or undo a provider's link, audited.

const now = () => new Date().toISOString();

async function passkey(db: Db, userId: number, name: string, lastUsedAt: string | null = null): Promise<number> {
  const row = await db.insertInto('passkeys').values({ user_id: userId, credential_id: `credential-${name}`, public_key: 'AAAA', name, created_at: now(), last_used_at: lastUsedAt })
    .returning('id').executeTakeFirstOrThrow();
  return row.id;
}

async function provider(db: Db, name: string, fields: { password_allowed?: number } = {}): Promise<number> {
  const row = await db.insertInto('sso_providers').values({ name, issuer: 'http://127.0.0.1:9', client_id: 'desk', client_secret: 'secret', created_at: now(), updated_at: now(), ...fields })
    .returning('id').executeTakeFirstOrThrow();
  return row.id;
}

function flash(html: string): string | undefined {
  return /class="flash" role="status">([^<]*)</.exec(html)?.[1];
}

async function auditOf(db: Db, userId: number, action: string) {
  return db.selectFrom('audit_log').select(['actor_id', 'details']).where('subject_id', '=', userId).where('action', '=', action).execute();
}

t.test('an admin sees a person\'s sign-in methods and removes a passkey', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const ada = await makeUser(db, 'admin', { name: 'Ada' });
  const kim = await makeUser(db, 'agent', { name: 'Kim' });
  const bob = await makeUser(db, 'agent', { name: 'Bob' });
  const cid = await makeUser(db, 'agent', { name: 'Cid' });
  const laptop = await passkey(db, kim.id, 'Work <b>laptop</b>', '2026-03-04T10:00:00.000Z');
  const phone = await passkey(db, kim.id, 'Phone');
  const bobs = await passkey(db, bob.id, 'Bob key');

  const admin = new Client(app);
  await admin.login(ada.email, PASSWORD);
  const page = await admin.page(`/admin/users/${kim.id}`);
  t.match(page, 'Sign-in methods');
  t.match(page, /Password sign-in<\/dt><dd>Allowed<\/dd>/, 'the password works');
  t.match(page, /Two-factor sign-in<\/dt><dd>Off<\/dd>/, 'no app codes');
  t.match(page, 'Work &lt;b&gt;laptop&lt;/b&gt;', 'the passkeys by name, escaped');
  t.notMatch(page, '<b>laptop</b>');
  t.match(page, 'Phone');
  t.match(page, 'Not yet', 'the phone was never used');
  t.match(page, `action="/admin/users/${kim.id}/passkeys/${laptop}/delete"`, 'each passkey has its Remove');
  t.match(page, 'aria-label="Remove passkey Phone"');
  t.match(page, `action="/admin/users/${kim.id}/two-factor/reset"`, 'a passkey is a second factor: the reset is offered');
  t.match(page, 'Not linked to a single sign-on provider.');
  t.notMatch(page, 'Bob key', 'only this person\'s');

  const removed = await admin.post(`/admin/users/${kim.id}/passkeys/${phone}/delete`);
  t.equal(removed.statusCode, 303);
  t.equal(removed.headers.location, `/admin/users/${kim.id}`);
  const after = await admin.page(`/admin/users/${kim.id}`);
  t.equal(flash(after), 'The passkey was removed. The person can no longer sign in with it.');
  t.notMatch(after, 'Remove passkey Phone', 'the phone is gone from the list');
  t.match(after, 'Remove passkey Work &lt;b&gt;laptop&lt;/b&gt;', 'the laptop stays');
  t.same((await db.selectFrom('passkeys').select('name').where('user_id', '=', kim.id).execute()).map((row) => row.name), ['Work <b>laptop</b>']);
  const audit = await auditOf(db, kim.id, 'user.passkeyRemoved');
  t.equal(audit.length, 1, 'audited');
  t.equal(audit[0]!.actor_id, ada.id, 'with the admin as actor');
  t.match(JSON.parse(audit[0]!.details), { passkey: phone, name: 'Phone', by: 'admin' });

  t.equal((await admin.post(`/admin/users/${kim.id}/passkeys/${bobs}/delete`)).statusCode, 404, 'Bob\'s passkey under Kim\'s page is not found');
  t.equal((await admin.post(`/admin/users/${kim.id}/passkeys/${phone}/delete`)).statusCode, 404, 'a removed one is gone');
  t.equal((await admin.post(`/admin/users/${kim.id}/passkeys/abc/delete`)).statusCode, 404);
  t.equal((await admin.post(`/admin/users/${kim.id}/passkeys/${laptop}/delete`, { _csrf: 'forged' })).statusCode, 403, 'no removal without the form\'s token');
  t.equal((await db.selectFrom('passkeys').select('id').execute()).length, 2, 'Kim\'s laptop and Bob\'s key are still there');

  // Cid, an agent, may not.
  const agent = new Client(app);
  t.equal((await agent.login(cid.email, PASSWORD)).headers.location, '/agent');
  await agent.get('/account');
  t.equal((await agent.get(`/admin/users/${kim.id}`)).statusCode, 403);
  t.equal((await agent.post(`/admin/users/${kim.id}/passkeys/${laptop}/delete`)).statusCode, 403, 'an agent may not remove a passkey');
  t.equal((await db.selectFrom('passkeys').select('id').where('id', '=', laptop).execute()).length, 1);
});

t.test('an admin sees a person\'s single sign-on links and unlinks one; password sign-in as the providers leave it', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const ada = await makeUser(db, 'admin', { name: 'Ada' });
  const kim = await makeUser(db, 'agent', { name: 'Kim', email: 'kim@corp.test' });
  const corp = await provider(db, 'Corp <Directory>');
  const other = await provider(db, 'Other');
  await db.insertInto('sso_identities').values({ provider_id: corp, subject: 'sub-4711', user_id: kim.id, created_at: '2026-01-02T09:00:00.000Z', last_used_at: '2026-02-03T09:00:00.000Z' }).execute();
  await db.insertInto('two_factor').values({ user_id: kim.id, secret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', enabled_at: now(), last_step: 0, created_at: now() }).execute();

  const admin = new Client(app);
  await admin.login(ada.email, PASSWORD);
  const page = await admin.page(`/admin/users/${kim.id}`);
  t.match(page, 'Corp &lt;Directory&gt;', 'the provider, escaped');
  t.match(page, 'sub-4711', 'the account at the provider');
  t.match(page, /Two-factor sign-in<\/dt><dd>On<\/dd>/);
  t.match(page, 'No passkeys.');
  t.match(page, `action="/admin/users/${kim.id}/sso/${corp}/unlink"`);
  t.match(page, 'aria-label="Unlink from Corp &lt;Directory&gt;"');

  const unlinked = await admin.post(`/admin/users/${kim.id}/sso/${corp}/unlink`);
  t.equal(unlinked.statusCode, 303);
  const after = await admin.page(`/admin/users/${kim.id}`);
  t.match(flash(after), 'The link was removed');
  t.match(after, 'Not linked to a single sign-on provider.');
  t.equal((await db.selectFrom('sso_identities').select('subject').execute()).length, 0, 'the link is gone');
  const audit = await auditOf(db, kim.id, 'user.ssoUnlinked');
  t.equal(audit.length, 1, 'audited');
  t.equal(audit[0]!.actor_id, ada.id);
  t.match(JSON.parse(audit[0]!.details), { provider: 'Corp <Directory>', providerId: corp, subjects: ['sub-4711'] });

  await admin.post(`/admin/users/${kim.id}/sso/${other}/unlink`);
  t.equal(flash(await admin.page(`/admin/users/${kim.id}`)), 'The person was not linked to that provider.', 'unlinking what is not linked changes nothing');
  t.equal((await auditOf(db, kim.id, 'user.ssoUnlinked')).length, 1, 'and is not audited');
  t.equal((await admin.post(`/admin/users/${kim.id}/sso/${other + 100}/unlink`)).statusCode, 404, 'a provider that does not exist');
  t.equal((await admin.post(`/admin/users/${kim.id + 100}/sso/${corp}/unlink`)).statusCode, 404, 'a person who does not exist');

  // A provider that takes password sign-in away from staff at corp.test: the page says so.
  await db.updateTable('sso_providers').set({ password_allowed: 0, email_domains: 'corp.test' }).where('id', '=', corp).execute();
  t.match(await admin.page(`/admin/users/${kim.id}`), /Password sign-in<\/dt><dd>Off: a single sign-on provider signs this person in<\/dd>/);
  t.match(await admin.page(`/admin/users/${ada.id}`), /Password sign-in<\/dt><dd>Allowed<\/dd>/, 'Ada\'s address is elsewhere');
});
