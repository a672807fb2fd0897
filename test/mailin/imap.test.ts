import { ImapFlow } from 'imapflow';
import pg from 'pg';
import t from 'tap';
import { connect } from '../../src/db/connect.js';
import { singletonLockSql } from '../../src/db/singleton.js';
import { IMAP_POLL_SINGLETON, ImapPoller, parseImapUrl } from '../../src/mailin/imap.js';
import { tempDir } from '../helpers/app.js';
import { onPostgres } from '../helpers/database.js';
import { startDovecot, type Dovecot } from './dovecot.js';
import { deskWithTicket, depsOf, fixture, messagesOf } from './helpers.js';

const quiet = { info() {}, warn() {}, error() {} };

async function unseenCount(server: Dovecot): Promise<{ unseen: number; all: number }> {
  const client = new ImapFlow({ host: '127.0.0.1', port: server.port, secure: false, auth: { user: server.user, pass: server.pass }, logger: false });
  await client.connect();
  try {
    const lock = await client.getMailboxLock('INBOX');
    try {
      const unseen = (await client.search({ seen: false }, { uid: true })) || [];
      const all = (await client.search({ all: true }, { uid: true })) || [];
      return { unseen: unseen.length, all: all.length };
    } finally { lock.release(); }
  } finally { await client.logout(); }
}

t.test('the poller stores unseen mail from a real IMAP server and marks it seen only once stored', async (t) => {
  const server = await startDovecot(t);
  const desk = await deskWithTicket(t);
  const url = `imap://${server.user}:${server.pass}@127.0.0.1:${server.port}/INBOX`;
  server.deliver('gmail', fixture('gmail-reply.eml'));
  server.deliver('latin1', fixture('latin1.eml'));

  // The database is gone (a disk or lock problem): nothing is stored, and nothing is marked seen.
  const broken = connect(`${tempDir(t)}/broken.db`).db;
  await broken.destroy();
  const failing = await new ImapPoller({ ...depsOf(desk), db: broken }, parseImapUrl(url), quiet).pollOnce();
  t.same(failing, { stored: 0, failed: 2 });
  t.same(await unseenCount(server), { unseen: 2, all: 2 }, 'both wait for the next poll');

  const poller = new ImapPoller(depsOf(desk), parseImapUrl(url), quiet);
  t.same(await poller.pollOnce(), { stored: 2, failed: 0 });
  t.same(await unseenCount(server), { unseen: 0, all: 2 }, 'stored mail is marked seen and stays in the mailbox');
  t.match((await messagesOf(desk.db, desk.ticketId)).at(-1)!.body_text, /^Thanks, turning it off and on again worked/);
  t.ok(await desk.db.selectFrom('tickets').select('id').where('subject', '=', 'Problème de connexion').executeTakeFirst());

  t.same(await poller.pollOnce(), { stored: 0, failed: 0 }, 'a second poll finds nothing new');

  // Running on its own, with the interval from the URL.
  server.deliver('thunderbird', fixture('thunderbird-reply.eml'));
  const running = new ImapPoller(depsOf(desk), parseImapUrl(`${url}?poll=1`), quiet);
  running.start();
  t.teardown(() => running.stop());
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && (await messagesOf(desk.db, desk.ticketId)).at(-1)!.match_reason !== 'subject-tag') await new Promise((r) => setTimeout(r, 200));
  t.equal((await messagesOf(desk.db, desk.ticketId)).at(-1)!.body_text, 'One more thing: the paper tray is also jammed.');
  await running.stop();
});

t.test('IMAP_URL is read with its mailbox and poll interval', async (t) => {
  t.same(parseImapUrl('imaps://help%40acme.test:p%40ss@mail.acme.test/Support?poll=30'),
    { host: 'mail.acme.test', port: 993, secure: true, user: 'help@acme.test', pass: 'p@ss', mailbox: 'Support', pollMs: 30_000 });
  t.equal(parseImapUrl('imap://u:p@127.0.0.1:1143').mailbox, 'INBOX');
  t.throws(() => parseImapUrl('http://x'), /imap:\/\//);
});

t.test('one instance at a time polls the mailbox: a poll while another instance polls leaves the mail alone', { skip: onPostgres ? false : 'PostgreSQL only: on SQLite one process serves the desk (npm run test:pg runs it)' }, async (t) => {
  const server = await startDovecot(t);
  const desk = await deskWithTicket(t);
  const url = `imap://${server.user}:${server.pass}@127.0.0.1:${server.port}/INBOX`;
  server.deliver('gmail', fixture('gmail-reply.eml'));

  // Another instance is in the middle of its poll: it holds the singleton's lock.
  const other = new pg.Client({ connectionString: desk.config.database.kind === 'postgres' ? desk.config.database.url : '' });
  await other.connect();
  t.teardown(() => other.end());
  const lock = singletonLockSql(IMAP_POLL_SINGLETON);
  await other.query(lock.text, lock.values);

  const poller = new ImapPoller(depsOf(desk), parseImapUrl(url), quiet);
  t.same(await poller.pollOnce(), { stored: 0, failed: 0, skipped: true }, 'this instance skips its turn');
  t.same(await unseenCount(server), { unseen: 1, all: 1 }, 'the mail is left for the poller that holds the mailbox');
  t.equal((await messagesOf(desk.db, desk.ticketId)).length, 1, 'and nothing is stored twice');

  await other.query('select pg_advisory_unlock_all()');
  t.same(await poller.pollOnce(), { stored: 1, failed: 0 }, 'once the other is done, the next poll takes it');
  t.same(await unseenCount(server), { unseen: 0, all: 1 });
});
