// Personal API tokens (issue 22, point 2): made on the profile page and shown once, stored hashed,
// read or read-write, an optional last day, last-used time, revoked by their owner or an admin; a
// token acts as its owner; `deskbell token create` prints one for provisioning scripts.
import t from 'tap';
import { sha256 } from '../../src/lib/crypto.js';
import { cli } from '../helpers/cli.js';
import { Client } from '../helpers/client.js';
import { PASSWORD } from '../helpers/factories.js';
import { buildApiDesk, json } from './helpers.js';

t.test('a token made on the profile page is shown once, stored hashed, and acts as its owner', async (t) => {
  const desk = await buildApiDesk(t);
  const ann = new Client(desk.app);
  await ann.login('ann@acme.test', PASSWORD);
  t.match(await ann.page('/account'), 'href="/account/tokens"', 'the profile links to the tokens');
  t.match(await ann.page('/account/tokens'), 'customer script', 'the page lists her token');
  const made = await ann.post('/account/tokens', { name: 'Status page', scope: 'write', expiresOn: '' });
  t.equal(made.statusCode, 201);
  const token = /<code id="new-api-token">(dsk_[\w-]+)<\/code>/.exec(made.body)?.[1];
  t.ok(token, 'the new token is on the page');
  const row = await desk.db.selectFrom('api_tokens').selectAll().where('name', '=', 'Status page').executeTakeFirstOrThrow();
  t.equal(row.token_hash, sha256(token!), 'only its hash is stored');
  t.notOk(JSON.stringify(row).includes(token!), 'not the token itself');
  t.equal(row.scope, 'write');
  t.equal(row.last_used_at, null, 'not used yet');
  const again = await ann.page('/account/tokens');
  t.notMatch(again, token!, 'shown once: not on the page again');
  t.match(again, 'Status page');

  const me = json(t, await desk.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } }), 200, 'the token');
  t.match(me, { id: desk.users.customer.id, role: 'customer', token: { id: row.id, scope: 'write' } }, 'acts as Ann');
  t.ok((await desk.db.selectFrom('api_tokens').select('last_used_at').where('id', '=', row.id).executeTakeFirstOrThrow()).last_used_at, 'its last use is kept');

  const invalid = await ann.post('/account/tokens', { name: '', scope: 'admin', expiresOn: '2020-01-01' });
  t.equal(invalid.statusCode, 422, 'a bad form');
  const past = await ann.post('/account/tokens', { name: 'Old', scope: 'read', expiresOn: '2020-01-01' });
  t.equal(past.statusCode, 422, 'a last day in the past');
  t.match(past.body, 'Choose a day after today');

  const revoked = await ann.post(`/account/tokens/${row.id}/revoke`);
  t.equal(revoked.statusCode, 303, 'Ann revokes it');
  t.equal((await desk.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })).statusCode, 401, 'and it stops working');
});

t.test('expired tokens and disabled owners do nothing; admins see and revoke every token', async (t) => {
  const desk = await buildApiDesk(t);
  await desk.db.updateTable('api_tokens').set({ expires_at: '2020-01-01T23:59:59.999Z' }).where('user_id', '=', desk.users.agent.id).execute();
  t.equal((await desk.call('agent', 'GET', '/api/v1/me')).statusCode, 401, 'an expired token');
  await desk.db.updateTable('users').set({ state: 'disabled' }).where('id', '=', desk.users.other.id).execute();
  t.equal((await desk.call('other', 'GET', '/api/v1/me')).statusCode, 401, 'a disabled owner\'s token');

  const admin = new Client(desk.app);
  await admin.login('ada@desk.test', PASSWORD);
  const page = await admin.page('/admin/tokens');
  t.match(page, 'Ann Acme', 'the admin sees everyone\'s tokens');
  t.match(page, 'customer script');
  t.notMatch(page, desk.tokens.customer, 'never the tokens themselves');
  const annToken = await desk.db.selectFrom('api_tokens').select('id').where('user_id', '=', desk.users.customer.id).executeTakeFirstOrThrow();
  t.equal((await admin.post(`/admin/tokens/${annToken.id}/revoke`)).statusCode, 303, 'and revokes Ann\'s');
  t.equal((await desk.call('customer', 'GET', '/api/v1/me')).statusCode, 401, 'which stops working');
  const audit = await desk.db.selectFrom('audit_log').select('action').where('action', '=', 'api_token.revoked').execute();
  t.equal(audit.length, 1, 'audited');

  const kim = new Client(desk.app);
  await kim.login('kim@desk.test', PASSWORD);
  t.equal((await kim.get('/admin/tokens')).statusCode, 403, 'an agent has no such page');
  const rexToken = await desk.db.selectFrom('api_tokens').select('id').where('user_id', '=', desk.users.restricted.id).executeTakeFirstOrThrow();
  t.equal((await kim.post(`/account/tokens/${rexToken.id}/revoke`)).statusCode, 404, 'nor revokes someone else\'s token');
  t.equal((await desk.call('restricted', 'GET', '/api/v1/me')).statusCode, 200, 'which still works');
});

t.test('deskbell token create prints a token once for provisioning scripts', async (t) => {
  const desk = await buildApiDesk(t);
  const made = await cli(desk.dir, 'token', 'create', '--email', 'kim@desk.test', '--name', 'Provisioning', '--scope', 'write');
  t.equal(made.code, 0, made.err);
  const token = made.out.trim();
  t.match(token, /^dsk_[\w-]{40,}$/, 'the token alone on stdout');
  const me = json(t, await desk.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } }), 200);
  t.match(me, { id: desk.users.agent.id, token: { scope: 'write' } });
  const readOnly = await cli(desk.dir, 'token', 'create', '--email', 'ann@acme.test', '--name', 'Reader');
  t.equal(readOnly.code, 0);
  t.equal((await desk.db.selectFrom('api_tokens').select('scope').where('name', '=', 'Reader').executeTakeFirstOrThrow()).scope, 'read', 'read-only unless asked');
  t.equal((await cli(desk.dir, 'token', 'create', '--email', 'nobody@desk.test', '--name', 'X')).code, 1, 'an unknown person: 1');
  t.equal((await cli(desk.dir, 'token', 'create', '--email', 'kim@desk.test')).code, 2, 'no name: usage, 2');
  t.equal((await cli(desk.dir, 'token', 'create', '--email', 'kim@desk.test', '--name', 'X', '--scope', 'all')).code, 2, 'a wrong scope: 2');
  t.equal((await cli(desk.dir, 'token')).code, 2);
});
