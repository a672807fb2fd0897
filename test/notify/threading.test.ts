import t from 'tap';
import { ticketFromMessageId } from '../../src/mail/threading.js';
import { postMultipart } from '../attachments/helpers.js';
import { makeMessage } from '../helpers/factories.js';
import { notifyDesk, MAIL_DOMAIN } from './helpers.js';

const refs = (value: string | undefined) => (value ?? '').split(/\s+/).filter(Boolean);

t.test('confirmation, reply and solved mail of one ticket form one thread in the requester\'s mailbox', async (t) => {
  const { app, portal, staff, db, delivered, to, config } = await notifyDesk(t);
  const res = await postMultipart(app, portal, '/portal/tickets', [
    { name: '_csrf', value: portal.csrf }, { name: 'typeId', value: '1' },
    { name: 'subject', value: 'Scanner jams' }, { name: 'message', value: 'Every second page' },
  ]);
  t.equal(res.statusCode, 303);
  const id = Number(/\/portal\/tickets\/(\d+)\/submitted/.exec(String(res.headers.location))?.[1]);

  const [received] = to(await delivered(), 'cora@example.test');
  t.equal(received!.header('Subject'), `[#${id}] We received your request: Scanner jams`);
  t.equal(received!.header('Auto-Submitted'), 'auto-generated');
  t.equal(received!.header('X-Loop'), MAIL_DOMAIN);
  t.match(received!.parsed.text, `We received your request. Its number is #${id}; you can follow it at Help Desk.`);
  t.equal(received!.header('In-Reply-To'), undefined, 'the first mail of a thread answers nothing');
  const first = received!.parsed.messageId!;
  t.equal(ticketFromMessageId(config, first), id, 'our own Message-ID, naming the ticket');

  await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'Which model is it?' });
  const [reply] = to(await delivered(), 'cora@example.test');
  const second = reply!.parsed.messageId!;
  t.not(second, first);
  t.equal(ticketFromMessageId(config, second), id);
  t.equal(reply!.header('In-Reply-To'), first);
  t.same(refs(reply!.header('References')), [first]);

  await staff.post(`/agent/tickets/${id}/status`, { statusId: '4' });
  const [solved] = to(await delivered(), 'cora@example.test');
  t.equal(solved!.header('Subject'), `[#${id}] Solved: Scanner jams`);
  t.equal(solved!.header('In-Reply-To'), second);
  t.same(refs(solved!.header('References')), [first, second], 'References grow with the thread');
  t.equal((await db.selectFrom('mail_log').select('message_id').where('ticket_id', '=', id).where('recipient', '=', 'cora@example.test').execute()).length, 3);
});

t.test('a reply answers the customer\'s own mail when that came last', async (t) => {
  const { staff, db, id, cora, delivered, to } = await notifyDesk(t);
  await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'Is it plugged in?' });
  const firstRound = await delivered();
  const ours = to(firstRound, 'cora@example.test')[0]!.parsed.messageId!;
  const dansFirst = to(firstRound, 'dan@example.test')[0]!.parsed.messageId!;
  // What the mail channel stores when Cora answers from her mail client.
  await makeMessage(db, id, { authorId: cora.id, kind: 'reply', text: 'Yes it is', via: 'email',
    emailMessageId: '<CAF=abc123@mail.gmail.com>', matchReason: 'reply-address' });
  await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'Then we send a technician.' });
  const secondRound = await delivered();
  const [answer] = to(secondRound, 'cora@example.test');
  t.equal(answer!.header('In-Reply-To'), '<CAF=abc123@mail.gmail.com>');
  t.same(refs(answer!.header('References')), [ours, '<CAF=abc123@mail.gmail.com>']);
  const [toDan] = to(secondRound, 'dan@example.test');
  t.equal(toDan!.header('In-Reply-To'), dansFirst, 'Dan\'s copy chains onto the mail Dan has, not Cora\'s');
});

t.test('a ticket opened by mail: a CC\'s first mail from us answers the opening mail, which the CC has', async (t) => {
  const { staff, db, id, cora, delivered, to } = await notifyDesk(t);
  // What the mail channel stores when Cora opens the ticket by mail with Dan in Cc.
  await db.deleteFrom('messages').where('ticket_id', '=', id).execute();
  await makeMessage(db, id, { authorId: cora.id, kind: 'reply', text: 'The printer is offline', via: 'email',
    emailMessageId: '<opening-1@example.test>', matchReason: 'new-ticket' });
  await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'We are looking at it.' });
  const round = await delivered();
  const [toDan] = to(round, 'dan@example.test');
  t.equal(toDan!.header('In-Reply-To'), '<opening-1@example.test>', 'Dan\'s client threads it under the mail he was copied on');
  t.same(refs(toDan!.header('References')), ['<opening-1@example.test>']);
  const [toCora] = to(round, 'cora@example.test');
  t.equal(toCora!.header('In-Reply-To'), '<opening-1@example.test>');
  // Dan's next mail chains onto the first one we sent him, the opening mail still first.
  const dansFirst = toDan!.parsed.messageId!;
  await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'Fixed now.' });
  const [again] = to(await delivered(), 'dan@example.test');
  t.equal(again!.header('In-Reply-To'), dansFirst);
  t.same(refs(again!.header('References')), ['<opening-1@example.test>', dansFirst]);
});
