import t from 'tap';
import { ticketFromReplyAddress } from '../../src/mail/threading.js';
import { postMultipart } from '../attachments/helpers.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import { notifyDesk } from './helpers.js';

async function withTeam(t: Parameters<typeof notifyDesk>[0]) {
  const desk = await notifyDesk(t);
  const lee = await makeUser(desk.db, 'agent', { name: 'Lee Teammate', email: 'lee@desk.test' });
  const other = await makeUser(desk.db, 'agent', { name: 'Ola Outsider', email: 'ola@desk.test' });
  await desk.db.insertInto('group_members').values([{ group_id: 1, user_id: desk.agent.id }, { group_id: 1, user_id: lee.id }]).execute();
  const leeClient = new Client(desk.app);
  await leeClient.login(lee.email, PASSWORD);
  const customerReply = (body: string) => postMultipart(desk.app, desk.portal, `/portal/tickets/${desk.id}/replies`, [
    { name: '_csrf', value: desk.portal.csrf }, { name: 'body', value: body },
  ]);
  return { ...desk, lee, other, leeClient, customerReply };
}

t.test('a customer\'s reply goes to the assignee; without one, to the ticket\'s group', async (t) => {
  const { db, id, agent, customerReply, delivered } = await withTeam(t);
  t.equal((await customerReply('It is still offline')).statusCode, 303);
  let mails = await delivered();
  t.same(mails.map((m) => m.to).flat().sort(), ['kim@desk.test', 'lee@desk.test'], 'no assignee: the Support group');

  await db.updateTable('tickets').set({ assignee_id: agent.id }).where('id', '=', id).execute();
  await customerReply('Any news?');
  mails = await delivered();
  t.same(mails.map((m) => m.to).flat(), ['kim@desk.test'], 'the assignee alone');
  const mail = mails[0]!;
  t.equal(mail.header('Subject'), `[#${id}] Cora Customer replied: Printer offline`);
  t.equal(mail.header('Auto-Submitted'), 'auto-generated');
  t.match(mail.parsed.text, 'Cora Customer replied on ticket #');
  t.match(mail.parsed.text, 'Any news?');
  t.match(mail.parsed.text, `/agent/tickets/${id}`);
});

t.test('assignment mail is threaded and carries the assignee\'s own reply address', async (t) => {
  const { leeClient, id, agent, delivered, config } = await withTeam(t);
  await leeClient.post(`/agent/tickets/${id}/assignment`, { assigneeId: 'me' });
  t.same(await delivered(), [], 'taking a ticket oneself mails nobody');
  await leeClient.post(`/agent/tickets/${id}/assignment`, { assigneeId: '' });
  t.equal((await leeClient.post(`/agent/tickets/${id}/assignment`, { assigneeId: String(agent.id) })).statusCode, 303);
  const [mail] = await delivered();
  t.equal(mail!.header('Subject'), `[#${id}] Assigned to you: Printer offline`);
  t.ok(mail!.parsed.messageId);
  const replyTo = mail!.parsed.replyTo!.value[0]!.address!;
  t.equal(ticketFromReplyAddress({ ...config, localPart: 'support' }, replyTo, 'kim@desk.test'), id);
});

t.test('agents switch notifications off and on in their profile', async (t) => {
  const { app, staff, leeClient, db, id, agent, customerReply, delivered } = await withTeam(t);
  const page = await staff.get('/account');
  t.match(page.body, 'Email me when');
  t.match(page.body, /name="notify_assigned" type="checkbox" value="1" checked/);
  t.match(page.body, /name="notify_new_ticket" type="checkbox" value="1">/, 'new tickets are off until asked for');

  const saved = await staff.post('/account', { name: 'Kim Agent', locale: 'en', timeZone: '', notifyPrefs: '1', notify_new_ticket: '1' });
  t.equal(saved.statusCode, 303);
  const stored = await db.selectFrom('users').select('notify_prefs').where('id', '=', agent.id).executeTakeFirstOrThrow();
  t.same(JSON.parse(stored.notify_prefs), { assigned: false, customer_reply: false, new_ticket: true, snooze_returned: false });
  t.match((await staff.get('/account')).body, /name="notify_assigned" type="checkbox" value="1">/);

  await leeClient.post(`/agent/tickets/${id}/assignment`, { assigneeId: String(agent.id) });
  await customerReply('Hello?');
  t.same(await delivered(), [], 'Kim hears of neither her assignment nor the customer\'s reply');

  const customer = new Client(app);
  await customer.login('dan@example.test', PASSWORD);
  t.notMatch(await customer.page('/account'), 'Email me when', 'customers have no such choices');
});

t.test('a new ticket is announced to the members of its group who asked for it', async (t) => {
  const { app, portal, staff, delivered, to } = await withTeam(t);
  await staff.post('/account', { name: 'Kim Agent', locale: 'en', timeZone: '', notifyPrefs: '1', notify_new_ticket: '1', notify_assigned: '1', notify_customer_reply: '1' });
  const res = await postMultipart(app, portal, '/portal/tickets', [
    { name: '_csrf', value: portal.csrf }, { name: 'typeId', value: '1' },
    { name: 'subject', value: 'Badge reader broken' }, { name: 'message', value: 'Door 3 does not open' },
  ]);
  const id = Number(/\/portal\/tickets\/(\d+)\/submitted/.exec(String(res.headers.location))?.[1]);
  const mails = await delivered();
  t.same(mails.map((m) => m.to).flat().sort(), ['cora@example.test', 'kim@desk.test'], 'Lee did not opt in; Ola is not in the group');
  const [kim] = to(mails, 'kim@desk.test');
  t.equal(kim!.header('Subject'), `[#${id}] New ticket in Support: Badge reader broken`);
  t.match(kim!.parsed.text, 'Door 3 does not open');
});
