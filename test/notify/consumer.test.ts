import t from 'tap';
import { CONSUMERS } from '../../src/events/consumers.js';
import type { EventKind, StreamEvent } from '../../src/events/record.js';
import { positionOf } from '../../src/events/runner.js';
import { notifications } from '../../src/notify/consumer.js';
import { postMultipart } from '../attachments/helpers.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import { notifyDesk } from './helpers.js';

// Ticket mail is no longer written by the request: the notifications consumer composes it from the
// event stream once the change has committed, and queues each event's mails exactly once.
t.test('replies are mailed by the notifications consumer after the write, once per event', async (t) => {
  const { app, db, id, staff, portal, agent } = await notifyDesk(t);
  await db.updateTable('tickets').set({ assignee_id: agent.id }).where('id', '=', id).execute();
  await app.worker.consume();
  const queued = async () => (await db.selectFrom('jobs').select('payload').where('kind', '=', 'mail').orderBy('id').execute())
    .map((j) => (JSON.parse(j.payload) as { to: string[]; subject: string }));
  const before = (await queued()).length;

  t.equal((await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'Restart the printer.' })).statusCode, 303);
  const reply = await db.selectFrom('events').select(['id', 'payload']).where('kind', '=', 'message.added').orderBy('id', 'desc').executeTakeFirstOrThrow();
  t.match(JSON.parse(reply.payload), { kind: 'reply' });
  t.equal((await queued()).length, before, 'the request itself queued no mail');
  // Each durable consumer (notifications, the SLA clocks) handled the one event.
  t.equal(await app.worker.consume(), CONSUMERS.filter((c) => !c.ephemeral).length, 'the consumers handled the one event');
  const toCustomers = (await queued()).slice(before);
  t.same(toCustomers.map((m) => m.to).flat().sort(), ['cora@example.test', 'dan@example.test'], 'the requester and the CC');
  t.match(toCustomers[0]!.subject, `[#${id}]`);
  t.equal(await positionOf(db, 'notifications'), reply.id, 'the position moved with the mails');

  // Handing the consumer its events again changes nothing: its position says they are done.
  t.equal(await app.worker.consume(), 0);
  t.equal((await queued()).length, before + 2, 'no second copy');

  const answered = await postMultipart(app, portal, `/portal/tickets/${id}/replies`, [{ name: '_csrf', value: portal.csrf }, { name: 'body', value: 'Still offline' }]);
  t.equal(answered.statusCode, 303);
  t.equal((await queued()).length, before + 2, 'the customer\'s request queued no mail either');
  await app.worker.consume();
  const toStaff = (await queued()).slice(before + 2);
  t.same(toStaff.map((m) => m.to).flat(), ['kim@desk.test'], 'the customer\'s reply reaches the assignee');
});

t.test('an assignment is mailed by the consumer from the notify list in the change\'s event', async (t) => {
  const { app, db, id, agent } = await notifyDesk(t);
  const lee = await makeUser(db, 'agent', { name: 'Lee Teammate', email: 'lee@desk.test' });
  const leeClient = new Client(app);
  await leeClient.login(lee.email, PASSWORD);
  await app.worker.consume();
  const mails = async () => (await db.selectFrom('jobs').select('payload').where('kind', '=', 'mail').execute()).map((j) => JSON.parse(j.payload) as { to: string[]; subject: string });
  const before = (await mails()).length;

  t.equal((await leeClient.post(`/agent/tickets/${id}/assignment`, { assigneeId: String(agent.id) })).statusCode, 303);
  const change = await db.selectFrom('events').select('payload').where('kind', '=', 'ticket.changed').orderBy('id', 'desc').executeTakeFirstOrThrow();
  t.match(JSON.parse(change.payload), { set: { assignee_id: agent.id }, notify: { assigned: [agent.id] } }, 'the event names who is to hear of it');
  t.equal((await mails()).length, before, 'the request queued no mail');
  await app.worker.consume();
  const queued = (await mails()).slice(before);
  t.same(queued.map((m) => m.to), [['kim@desk.test']]);
  t.equal(queued[0]!.subject, `[#${id}] Assigned to you: Printer offline`);
});

// Most events on a ticket mail nobody: the consumer passes them from the event alone, without a
// transaction (its position moves with the next event it handles).
t.test('events that certainly mail nobody pass the notifications consumer; the others do not', async (t) => {
  const { db } = await notifyDesk(t);
  const event = (kind: EventKind, payload: Record<string, unknown>, actorId: number | null = 1): StreamEvent =>
    ({ id: 1, kind, ticketId: 1, actorId, payload, createdAt: '2026-03-02T00:00:00.000Z' });
  const passes = (e: StreamEvent) => (notifications.transactional === true ? notifications.passes!(db, e) : Promise.reject(new Error('transactional')));
  const passing: [string, StreamEvent][] = [
    ['an internal note', event('message.added', { kind: 'note', messageId: 1 })],
    ['a capped mail noted', event('ticket.changed', { set: {}, changes: [{ kind: 'mail_capped' }] })],
    ['a tag put on', event('ticket.changed', { set: {}, tags: { added: ['vip'], removed: [] } })],
    ['a status changed by a workflow', event('ticket.changed', { set: { status_id: 4 }, workflow: true })],
    ['an import', event('ticket.created', { channel: 'import', announce: { requester: true, group: true } })],
    ['a ticket deleted', event('ticket.deleted', {})],
  ];
  for (const [what, e] of passing) t.equal(await passes(e), true, what);
  const handled: [string, StreamEvent][] = [
    ['a reply', event('message.added', { kind: 'reply', messageId: 1 })],
    ['a new ticket announced', event('ticket.created', { channel: 'portal', announce: { requester: true, group: true } })],
    ['an assignment told', event('ticket.changed', { set: { assignee_id: 2 }, notify: { assigned: [2] } })],
    ['a status set by someone', event('ticket.changed', { set: { status_id: 4 } })],
    ['a bulk assignment', { ...event('tickets.assigned', { assigneeId: 2, ticketIds: [1] }), ticketId: null }],
    ['an invitation', { ...event('account.invited', {}), ticketId: null }],
  ];
  for (const [what, e] of handled) t.equal(await passes(e), false, what);
});
