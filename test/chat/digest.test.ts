// The customer's digest: after a quiet period, one mail with the chat lines they have not read,
// none while they watch, and none for lines they read on the page.
import t from 'tap';
import { liveDesk, openStream, quietPeriodPasses } from './helpers.js';
import { MAIL_DOMAIN, notifyDesk } from '../notify/helpers.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

t.test('a customer who is not watching gets ONE digest for several lines, after the quiet period', async (t) => {
  const desk = await notifyDesk(t);
  const { staff, portal, id, delivered, to, db } = desk;
  await staff.get(`/agent/tickets/${id}`);
  for (const line of ['We looked at the printer.', 'It needs a new fuser.', 'A technician comes on Monday.']) {
    await staff.post(`/agent/tickets/${id}/chat`, { body: line });
  }
  t.same(await delivered(), [], 'nothing during the quiet period');
  await quietPeriodPasses(desk);
  const mails = await delivered();
  t.equal(mails.length, 1, 'one mail in all');
  const [mail] = to(mails, 'cora@example.test');
  t.ok(mail, 'to the requester');
  t.match(mail!.parsed.subject, /^\[#\d+\] Printer offline: new chat messages \(3\)$/);
  const text = mail!.parsed.text ?? '';
  t.match(text, /We looked at the printer\.[\s\S]*It needs a new fuser\.[\s\S]*A technician comes on Monday\./, 'all three lines, in order');
  t.match(text, `/portal/tickets/${id}`, 'with a link to the ticket');
  t.match(mail!.header('Reply-To') ?? '', new RegExp(`^support\\+${id}\\.[A-Za-z0-9]{16}@${MAIL_DOMAIN.replace(/\./g, '\\.')}$`), 'answering it threads to the ticket');
  t.match(mail!.header('Message-ID') ?? '', `ticket-${id}.`);

  await quietPeriodPasses(desk);
  t.same(await delivered(), [], 'the lines are never mailed twice');

  // Read on the page before the quiet period ends: nothing to tell.
  await staff.post(`/agent/tickets/${id}/chat`, { body: 'Monday 9:00 works?' });
  await portal.get(`/portal/tickets/${id}`);
  await quietPeriodPasses(desk);
  t.same(await delivered(), [], 'no digest for lines the customer read on the page');
  const log = await db.selectFrom('mail_log').select('kind').where('ticket_id', '=', id).execute();
  t.same(log.map((l) => l.kind), ['chat_digest'], 'the mail log names the digest');
});

t.test('no digest while the customer watches the ticket live', async (t) => {
  const desk = await liveDesk(t);
  const { staff, portal, id, delivered, base } = desk;
  await portal.get(`/portal/tickets/${id}`);
  const stream = await openStream(t, base, `/portal/tickets/${id}/live`, portal);
  t.equal(stream.status, 200);
  await staff.get(`/agent/tickets/${id}`);
  await staff.post(`/agent/tickets/${id}/chat`, { body: 'Are you there?' });
  await staff.post(`/agent/tickets/${id}/chat`, { body: 'The part arrived.' });
  t.ok(await stream.waitFor(/The part arrived\./), 'the lines reach the open page');
  await quietPeriodPasses(desk);
  t.same(await delivered(), [], 'no mail while watching');
  stream.close();
});

t.test('the quiet period is a setting', async (t) => {
  const desk = await notifyDesk(t);
  await desk.db.insertInto('settings').values({ key: 'chat.digest_minutes', value: '30' }).execute();
  await desk.staff.get(`/agent/tickets/${desk.id}`);
  const before = Date.now();
  await desk.staff.post(`/agent/tickets/${desk.id}/chat`, { body: 'Later' });
  const job = await desk.db.selectFrom('jobs').select('run_at').where('kind', '=', 'chat_digest').executeTakeFirstOrThrow();
  const wait = Date.parse(job.run_at) - before;
  t.ok(wait >= 29 * 60_000 && wait <= 31 * 60_000, `booked 30 minutes ahead (${Math.round(wait / 60_000)})`);
  const admin = await makeUser(desk.db, 'admin');
  const client = new Client(desk.app);
  await client.login(admin.email, PASSWORD);
  const settings = await client.get('/admin/settings');
  t.match(settings.body, 'Chat digest after (minutes)', 'admins find it on the settings page');
  t.match(settings.body, /name="chat__digest_minutes"[^>]*value="30"/, 'with the stored value');
});
