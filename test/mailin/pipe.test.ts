import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { tempDir } from '../helpers/app.js';
import { openTestDesk } from '../helpers/app.js';
import { onPostgres } from '../helpers/database.js';
import { fixture, MAIL_ENV, pipeToCli } from './helpers.js';

t.test('`deskbell mail receive` stores a mail piped in by the MTA, once, and answers in exit codes', async (t) => {
  const dir = tempDir(t);
  const first = await pipeToCli(dir, fixture('latin1.eml'));
  t.equal(first.code, 0, first.err);
  const again = await pipeToCli(dir, fixture('latin1.eml'));
  t.equal(again.code, 0, 'a second delivery is fine for the MTA');
  t.match(again.out, '"status":"duplicate"');

  const garbage = await pipeToCli(dir, Buffer.from('this is not a mail at all\n'));
  t.equal(garbage.code, 65, 'not a mail: EX_DATAERR, the MTA bounces it');
  const empty = await pipeToCli(dir, Buffer.alloc(0));
  t.equal(empty.code, 65);

  const desk = await openTestDesk(t, dir, {}, MAIL_ENV);
  const tickets = await desk.db.selectFrom('tickets').innerJoin('users', 'users.id', 'tickets.requester_id')
    .select(['tickets.subject', 'tickets.channel', 'users.email', 'users.name']).execute();
  t.same(tickets, [{ subject: 'Problème de connexion', channel: 'email', email: 'rene@client.test', name: 'René François' }]);
});

t.test('a desk that cannot store the mail now answers EX_TEMPFAIL, so the MTA keeps it and retries', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'deskbell.db')); // where the database file should be: it cannot be opened
  // On PostgreSQL: a server that does not answer.
  const result = await pipeToCli(dir, fixture('latin1.eml'), onPostgres ? { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/deskbell' } : {});
  t.equal(result.code, 75, result.err);
  t.match(result.err, 'mail not stored');
});

t.test('mail receive takes no other arguments', async (t) => {
  const result = await pipeToCli(tempDir(t), Buffer.alloc(0), {});
  t.equal(result.code, 65);
});
