import { globSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { hashPassword, verifyPassword } from '../../src/lib/crypto.js';
import { makeCcs, makeEvent, makeMessage, makeTicket, makeTickets, makeUser, PASSWORD, TEST_SCRYPT_N } from '../helpers/factories.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FACTORIES = 'test/helpers/factories.ts';
/** The kernel's static door test quotes insert statements as examples of what it must catch. */
const QUOTES_INSERTS_AS_DATA = new Set(['test/kernel/door.test.ts']);

t.test('people, tickets, messages, history and CCs are made by the factories only', async (t) => {
  const tables = /insertInto\(\s*['"](users|tickets|messages|ticket_events|ticket_ccs)['"]\s*\)/g;
  const files = globSync('test/**/*.ts', { cwd: ROOT }).filter((file) => file !== FACTORIES && !file.startsWith('test/meta/') && !QUOTES_INSERTS_AS_DATA.has(file)).sort();
  const raw = files.flatMap((file) => [...readFileSync(join(ROOT, file), 'utf8').matchAll(tables)].map((m) => `${file}: ${m[1]}`));
  t.same(raw, [], 'no test inserts those rows itself');
});

t.test('the factories write what they are told and hand back the ids', async (t) => {
  const { db } = await buildTestDesk(t);
  const cora = await makeUser(db, 'customer', { name: 'Cora', email: 'cora@example.test' });
  const invited = await makeUser(db, 'agent', { state: 'invited', password: null });
  const users = await db.selectFrom('users').select(['id', 'name', 'state', 'password_hash']).orderBy('id').execute();
  t.match(users, [{ id: cora.id, name: 'Cora', state: 'active', password_hash: /^scrypt\$/ }, { id: invited.id, state: 'invited', password_hash: null }]);

  const ids = await makeTickets(db, 3, (i) => ({ requesterId: cora.id, subject: `T${i}` }));
  const one = await makeTicket(db, { requesterId: cora.id, channel: 'portal', createdById: cora.id, at: '2026-02-01T00:00:00.000Z' });
  const tickets = await db.selectFrom('tickets').select(['id', 'subject', 'channel', 'created_by_id', 'created_at']).orderBy('id').execute();
  t.same(tickets.map((row) => row.id), [...ids, one], 'the ids handed back are the rows written, in order');
  t.match(tickets.at(-1), { channel: 'portal', created_by_id: cora.id, created_at: '2026-02-01T00:00:00.000Z' });

  const message = await makeMessage(db, one, { authorId: null, kind: 'note', text: 'Hello' });
  t.match(await db.selectFrom('messages').selectAll().where('id', '=', message).executeTakeFirstOrThrow(),
    { ticket_id: one, author_id: null, kind: 'note', body_text: 'Hello', body_html: '<p>Hello</p>', via: 'web' });
  const event = await makeEvent(db, one, { actorId: cora.id, kind: 'status', from: 'Open', to: 'Pending' });
  t.match(await db.selectFrom('ticket_events').selectAll().where('id', '=', event).executeTakeFirstOrThrow(),
    { ticket_id: one, actor_id: cora.id, kind: 'status', from_value: 'Open', to_value: 'Pending' });
  await makeCcs(db, one, invited.id);
  t.same(await db.selectFrom('ticket_ccs').selectAll().execute(), [{ ticket_id: one, user_id: invited.id }]);
});

t.test('factory people log in through the real check at a test cost; the app hashes at the production cost', async (t) => {
  const { db } = await buildTestDesk(t);
  const person = await makeUser(db, 'agent');
  const { password_hash: stored } = await db.selectFrom('users').select('password_hash').where('id', '=', person.id).executeTakeFirstOrThrow();
  t.match(stored, new RegExp(`^scrypt\\$${TEST_SCRYPT_N}\\$8\\$1\\$`), 'the factory hash names its own, lower cost');
  t.equal(await verifyPassword(PASSWORD, stored), true, 'the app accepts the password with the parameters in the hash');
  t.equal(await verifyPassword('not the password', stored), false);
  t.match(await hashPassword('a password someone chose'), /^scrypt\$16384\$8\$1\$/, 'passwords set through the app: N=16384, r=8, p=1');
});
