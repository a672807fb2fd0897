import { sql } from 'kysely';
import t from 'tap';
import { header } from '../helpers/smtp.js';
import { notifyDesk } from './helpers.js';

// The worker dying right after the notify job's mails were queued, before the job was marked done:
// played here by a trigger that fails the `done` update once. After a restart the job runs again,
// and must not queue its mails a second time under new Message-IDs.
t.test('a notify job whose completion fails queues its mails once, not once per attempt', async (t) => {
  const { staff, id, db, app, smtp } = await notifyDesk(t);
  await sql`create table crash_once (armed integer)`.execute(db);
  await sql`insert into crash_once values (1)`.execute(db);
  await sql`create trigger crash_after_commit after update of state on jobs
    when new.state = 'done' and new.kind = 'notify' and (select armed from crash_once) = 1
    begin select raise(fail, 'the process died here'); end`.execute(db);
  await sql`create trigger disarm after update of state on jobs when new.kind = 'notify' and new.state = 'queued'
    begin update crash_once set armed = 0; end`.execute(db);

  t.equal((await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'Restart the printer.' })).statusCode, 303);
  await app.worker.drain();
  await new Promise((resolve) => setTimeout(resolve, 50)); // past the (test-short) retry pause
  await app.worker.drain();

  const notify = await db.selectFrom('jobs').select(['state', 'attempts']).where('kind', '=', 'notify').execute();
  t.same(notify, [{ state: 'done', attempts: 2 }], 'the job failed once, then ran again');
  const logged = await db.selectFrom('mail_log').select(['recipient', 'message_id']).orderBy('recipient').execute();
  t.same(logged.map((r) => r.recipient), ['cora@example.test', 'dan@example.test'], 'one mail per person, not two');
  const ids = smtp.received.map((m) => header(m.raw, 'Message-ID'));
  t.equal(smtp.received.length, 2);
  t.same(ids.sort(), logged.map((r) => r.message_id).sort(), 'the Message-IDs sent are those chosen when the mails were queued');
});
