// Presence shared between app instances over one PostgreSQL database (NOTIFY on its own channel,
// ids only; names looked up by each instance): three apps in this process, each with its own hub
// and LISTEN connection, as three servers would have. Needs PostgreSQL whatever DESKBELL_TEST_DB says.
import t from 'tap';
import { loadConfig } from '../../src/config.js';
import type { PresenceEntry } from '../../src/live/presence.js';
import { openTestApp, tempDir } from '../helpers/app.js';
import { postgresDatabase } from '../helpers/database.js';
import { makeUser } from '../helpers/factories.js';

const TICKET = 42;

async function until(check: () => boolean, ms = 15_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) if (check()) return true;
  return check();
}

t.test('who is on a ticket on one instance is known to the others, and forgotten when that instance stops', async (t) => {
  const url = await postgresDatabase(t);
  const instance = async () => openTestApp(t, loadConfig({ DATA_DIR: tempDir(t), DATABASE_URL: url, DATABASE_POOL_SIZE: '2', LOG_LEVEL: 'silent' }));
  const a = await instance();
  const b = await instance();
  const kim = await makeUser(a.db, 'agent', { name: 'Kim Agent', email: 'kim@desk.test' });
  const shown = (app: typeof a.app) => app.live.presence.list(TICKET, 0).map((p: PresenceEntry) => `${p.name}${p.replying ? ' (replying)' : ''}`).join(', ');

  a.app.live.presence.join(TICKET, kim.id, 'Kim Agent');
  t.ok(await until(() => shown(b.app) === 'Kim Agent'), 'B knows Kim is viewing on A, by the name B looked up');
  a.app.live.presence.typing(TICKET, kim.id, 'Kim Agent');
  t.ok(await until(() => shown(b.app) === 'Kim Agent (replying)'), 'and that Kim is replying');
  t.equal(shown(a.app), 'Kim Agent (replying)', 'A hears its own word on the channel, and shows Kim once');

  const c = await instance();
  t.ok(await until(() => shown(c.app) === 'Kim Agent (replying)'), 'an instance started later learns it too');

  // A stops while Kim is still on the ticket: its goodbye, not a left page, is what B and C hear.
  await a.close();
  t.ok(await until(() => shown(b.app) === '' && shown(c.app) === ''), 'A said goodbye: Kim is gone from B and C');
});
