import t from 'tap';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import { deskWithTicket, mailsTo, messagesOf } from './helpers.js';
import { ccsOf, CHANNELS, deliverer, dmarcPass, FAST, forged, MTA, outboxSize, overChannel, trustMta } from './trust-helpers.js';

// Issue 15, points 1 and 2: what a mail may do follows from how it was matched and what vouches for
// its sender, never from the From line alone. Each story runs over SMTP and through the pipe.

for (const channel of CHANNELS) {
  t.test(`${channel}: a forged mail from the requester adds her message but cannot widen who sees the ticket`, overChannel(channel), async (t) => {
    const desk = await deskWithTicket(t);
    const { db, ticketId } = desk;
    const deliver = await deliverer(t, desk, channel);
    await deliver(forged({ from: 'Casey Jones <casey@customer.test>', cc: ['stranger@evil.test'], subject: 'Re: [#1] Printer on fire', body: 'Please also keep my colleague informed.' }));
    const messages = await messagesOf(db, ticketId);
    const reply = messages.find((m) => m.body_text === 'Please also keep my colleague informed.');
    t.same([reply?.kind, reply?.author_id, reply?.match_reason], ['reply', desk.casey.id, 'subject-tag'], 'a customer message, as every help desk takes it');
    t.same(await ccsOf(db, ticketId), [], 'the stranger is not a CC');
    t.notOk(await db.selectFrom('users').select('id').where('email', '=', 'stranger@evil.test').executeTakeFirst(), 'and has no account');
    t.equal((await mailsTo(desk, 'stranger@evil.test')).length, 0, 'nor any mail about the ticket');
    const note = messages.find((m) => m.match_reason === 'refused-ccs');
    t.same([note?.kind, note?.author_id], ['note', null], 'agents find what was refused, as an internal note');
    t.match(note?.body_text, /Not added as CCs .*the ticket number in its subject.*stranger@evil\.test/);

    const agent = await makeUser(db, 'agent');
    const browser = new Client(desk.app);
    await browser.login(agent.email, PASSWORD);
    const internal = (await browser.get(`/agent/tickets/${ticketId}?tab=internal`)).body;
    t.match(internal, 'stranger@evil.test', 'shown on the ticket to agents, among the internal notes');
    t.match(internal, 'By email: a note of the CCs it could not add');
    const customer = new Client(desk.app);
    await customer.login('casey@customer.test', PASSWORD);
    t.notMatch(await customer.page(`/portal/tickets/${ticketId}`), 'stranger@evil.test', 'not to the customer');

    // Once the admin names the MTA, a header the sender wrote among their own is still not believed.
    await trustMta(db);
    await deliver(forged({
      from: 'casey@customer.test', cc: ['stranger2@evil.test'], subject: 'Re: [#1] Printer on fire', body: 'Trust me.',
      extra: `X-Mailer: Forger 1.0\r\nAuthentication-Results: ${MTA}; dmarc=pass header.from=customer.test\r\n`,
    }));
    t.same(await ccsOf(db, ticketId), [], 'a forged verdict adds no CC');
    // The same mail, vouched for by the MTA the admin trusts (OpenDMARC writes below its Received line).
    await deliver(forged({ from: 'casey@customer.test', cc: ['colleague@customer.test'], subject: 'Re: [#1] Printer on fire', body: 'Adding Dana.', verdict: dmarcPass('customer.test') }));
    t.same(await ccsOf(db, ticketId), ['colleague@customer.test'], 'a verified requester adds CCs as in the browser');
  });

  t.test(`${channel}: a forged mail from an agent neither answers the customer nor writes a note`, overChannel(channel), async (t) => {
    const desk = await deskWithTicket(t);
    const { db, ticketId } = desk;
    const alex = await makeUser(db, 'agent', { email: 'alex@desk.test', name: 'Alex Agent' });
    const deliver = await deliverer(t, desk, channel);
    const mailsToCasey = (await mailsTo(desk, 'casey@customer.test')).length;
    const outbox = await outboxSize(db);

    await deliver(forged({ from: 'Alex Agent <alex@desk.test>', subject: 'Re: [#1] Printer on fire', body: 'Your refund is approved, send your card number to refunds@evil.test.' }));
    await deliver(forged({ from: 'Alex Agent <alex@desk.test>', subject: 'Re: [#1] Printer on fire', body: '#note The customer is verified, reset the admin password.' }));
    // Anyone can write an Authentication-Results line: one among the sender's own headers is not believed.
    await trustMta(db);
    await deliver(forged({
      from: 'alex@desk.test', subject: 'Re: [#1] Printer on fire', body: 'Signed, honestly.',
      extra: `Received: from laptop by smtp.evil.test; Tue, 3 Mar 2026 09:59:00 +0000\r\nAuthentication-Results: ${MTA}; dmarc=pass header.from=desk.test\r\n`,
    }));
    await deliver(forged({ from: 'alex@desk.test', subject: 'Re: [#1] Printer on fire', body: 'Verified, but staff need the reply address.', verdict: dmarcPass('desk.test') }));
    await deliver(forged({ from: 'alex@desk.test', subject: 'Re: [#1] Printer on fire', body: 'From a server nobody named.', verdict: { value: 'mx.evil.test; dmarc=pass header.from=desk.test', where: 'above' } }));

    const messages = await messagesOf(db, ticketId);
    t.equal(messages.filter((m) => m.author_id === alex.id).length, 0, 'nothing is written in Alex\'s name');
    const refused = messages.filter((m) => m.match_reason === 'refused');
    t.equal(refused.length, 5, 'each one is kept for agents');
    for (const note of refused) {
      t.same([note.kind, note.author_id], ['note', null]);
      t.match(note.body_text, 'claims to come from alex@desk.test was not posted');
    }
    t.match(refused[0]!.body_text, 'refunds@evil.test', 'with what it said');
    t.equal((await mailsTo(desk, 'casey@customer.test')).length, mailsToCasey, 'the customer is mailed nothing');
    t.equal(await outboxSize(db), outbox, 'and nobody else is: the sender learns nothing');
    const files = await db.selectFrom('attachments').select('content_type').where('message_id', '=', refused[0]!.id).execute();
    t.same(files, [{ content_type: 'message/rfc822' }], 'the original is attached');

    // The admin lets verified staff act by mail: the same mail now answers, and #note makes a note.
    await trustMta(db, { staff: true });
    await deliver(forged({ from: 'alex@desk.test', subject: 'Re: [#1] Printer on fire', body: 'A technician is on the way.', verdict: dmarcPass('desk.test', 'above') }));
    await deliver(forged({ from: 'alex@desk.test', subject: 'Re: [#1] Printer on fire', body: '#note Call before going.', verdict: dmarcPass('desk.test') }));
    const byAlex = (await messagesOf(db, ticketId)).filter((m) => m.author_id === alex.id);
    t.same(byAlex.map((m) => [m.kind, m.body_text]), [['reply', 'A technician is on the way.'], ['note', 'Call before going.']]);
  });
}

t.test('staff still answer from the reply address of a notification, without any header', async (t) => {
  const desk = await deskWithTicket(t);
  const alex = await makeUser(desk.db, 'agent', { email: 'agent@desk.test', name: 'Alex Agent' });
  const deliver = await deliverer(t, desk, FAST ? 'smtp' : 'pipe');
  // The reply address Alex received: signed for this ticket and this recipient.
  await deliver(forged({ from: 'agent@desk.test', to: 'support+1.csRbHxPK21McJ1tK@desk.test', subject: 'Re: [#1] Printer on fire', body: '#note Spoke to Casey.' }));
  const last = (await messagesOf(desk.db, desk.ticketId)).at(-1)!;
  t.same([last.kind, last.author_id, last.match_reason], ['note', alex.id, 'reply-token']);
});

t.test('the admin names the trusted MTA and the rules on the mail settings screen', async (t) => {
  const desk = await deskWithTicket(t);
  const admin = await makeUser(desk.db, 'admin');
  const browser = new Client(desk.app);
  await browser.login(admin.email, PASSWORD);
  const page = await browser.get('/admin/mail');
  for (const label of ['Trusted mail servers (authserv-id)', 'Staff whose address was verified may answer and write notes by mail', 'CCs a mail from an unverified sender may give a ticket']) {
    t.match(page.body, label);
  }
  const wrong = await browser.post('/admin/mail/settings', { allowNew: '1', trustedIds: 'mx.desk.test; <script>', ccCap: '500' });
  t.equal(wrong.statusCode, 422);
  t.match(wrong.body, 'Enter host names such as mx.example.com');
  t.match(wrong.body, /value="mx\.desk\.test; &lt;script&gt;"/, 'what was typed is kept, escaped');
  const saved = await browser.post('/admin/mail/settings', { allowNew: '1', trustedIds: 'MX.desk.test, mx2.desk.test', verifiedStaff: '1', ccCap: '3', perSenderHour: '60' });
  t.equal(saved.statusCode, 303);
  const stored = await desk.db.selectFrom('settings').select(['key', 'value']).where('key', 'like', 'mailin.%').orderBy('key').execute();
  t.same(stored, [
    { key: 'mailin.trusted_authserv_ids', value: 'mx.desk.test, mx2.desk.test' },
    { key: 'mailin.unverified_cc_cap', value: '3' }, { key: 'mailin.verified_staff', value: '1' },
  ]);
  t.match((await browser.get('/admin/mail')).body, /value="mx\.desk\.test, mx2\.desk\.test"/);
  const audit = await desk.db.selectFrom('audit_log').select('details').where('action', '=', 'setting.changed').execute();
  t.equal(audit.length, 3, 'each change is audited (allowing new customers was already on)');
});
