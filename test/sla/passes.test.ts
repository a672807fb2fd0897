// The SLA clocks' consumer passes, without a transaction or a query, every event that could move no
// clock (a subject changed, a capped mail noted, an internal note), even on a desk with active policies.
import t from 'tap';
import type { EventKind, StreamEvent } from '../../src/events/record.js';
import { slaClocks } from '../../src/sla/consumer.js';
import { buildTestDesk } from '../helpers/app.js';
import { ReadCounter } from '../helpers/read-counter.js';

t.test('events that move no clock pass, from the event alone', async (t) => {
  const { db } = await buildTestDesk(t);
  await db.insertInto('sla_policies').values({ name: 'Everyone', position: 1, conditions: '{}', first_reply_minutes: 120, first_reply_business: 0,
    next_reply_minutes: 60, resolution_minutes: 600, resolution_business: 0, calendar_id: null, updated_at: '2026-03-01T00:00:00.000Z' }).execute();
  const counter = new ReadCounter();
  const counted = db.withPlugin(counter);
  const event = (kind: EventKind, payload: Record<string, unknown>): StreamEvent => ({ id: 1, kind, ticketId: 1, actorId: 1, payload, createdAt: '2026-03-02T00:00:00.000Z' });
  const passes = (e: StreamEvent) => slaClocks.transactional === true ? slaClocks.passes!(counted, e) : Promise.reject(new Error('transactional'));

  t.equal(await passes(event('ticket.changed', { set: { subject: 'Printer, floor 2' }, changes: [{ kind: 'subject' }] })), true, 'a new subject');
  t.equal(await passes(event('ticket.changed', { set: {}, changes: [{ kind: 'mail_capped' }] })), true, 'a capped mail noted');
  t.equal(await passes(event('message.added', { kind: 'note' })), true, 'an internal note');
  t.equal(counter.of('sla_policies') + counter.of('ticket_slas'), 0, 'without reading policies or clocks');

  t.equal(await passes(event('ticket.created', {})), false, 'a new ticket gets its clocks');
  t.equal(await passes(event('message.added', { kind: 'reply' })), false, 'a reply meets or starts one');
  t.equal(await passes(event('ticket.changed', { set: { status_id: 4 } })), false, 'a status pauses or ends them');
  t.equal(await passes(event('ticket.changed', { set: { priority: 'high' } })), false, 'a priority can bring another policy');
  t.equal(await passes(event('ticket.changed', { set: {}, tags: { added: ['vip'], removed: [] } })), false, 'so can a tag');
});
