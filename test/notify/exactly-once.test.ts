import { sql } from 'kysely';
import t from 'tap';
import { onPostgres } from '../helpers/database.js';
import { header } from '../helpers/smtp.js';
import { notifyDesk } from './helpers.js';

// The worker dying right after a reply's mails were queued, before the notifications consumer's
// position moved: played here by a trigger that fails the position's write once. The mails and the
// position commit together, so the failed round leaves nothing behind and the next one queues each
// mail once, under the Message-ID it is sent with.
t.test('a notifications round whose position cannot move queues its mails once, not once per attempt', async (t) => {
  const { staff, id, db, app, smtp } = await notifyDesk(t);
  await app.worker.drain();
  const before = await db.selectFrom('mail_log').select('id').execute();
  await sql`create table crash_once (armed integer)`.execute(db);
  await sql`insert into crash_once values (1)`.execute(db);
  if (onPostgres) {
    await sql.raw(`create function crash_once() returns trigger language plpgsql as $$ begin
      if new.consumer = 'notifications' and (select armed from crash_once) = 1 then raise exception 'the process died here'; end if;
      return new; end $$`).execute(db);
    await sql`create trigger crash_once after insert or update on consumer_positions for each row execute function crash_once()`.execute(db);
  } else {
    for (const op of ['insert', 'update']) {
      await sql.raw(`create trigger crash_${op} after ${op} on consumer_positions
        when new.consumer = 'notifications' and (select armed from crash_once) = 1
        begin select raise(fail, 'the process died here'); end`).execute(db);
    }
  }

  t.equal((await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'Restart the printer.' })).statusCode, 303);
  await app.worker.drain();
  t.same(await db.selectFrom('mail_log').select('id').execute(), before, 'the failed round queued nothing');
  await sql`update crash_once set armed = 0`.execute(db);
  await app.worker.drain();

  const logged = await db.selectFrom('mail_log').select(['recipient', 'message_id']).where('kind', '=', 'reply').orderBy('recipient').execute();
  t.same(logged.map((r) => r.recipient), ['cora@example.test', 'dan@example.test'], 'one mail per person, not two');
  const ids = smtp.received.filter((m) => logged.some((r) => r.message_id === header(m.raw, 'Message-ID'))).map((m) => header(m.raw, 'Message-ID'));
  t.equal(ids.length, 2);
  t.same(ids.sort(), logged.map((r) => r.message_id).sort(), 'the Message-IDs sent are those chosen when the mails were queued');
});
