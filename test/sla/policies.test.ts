// SLA policy conditions (issue 21): every condition set must hold, an empty one matches anything,
// tags match when the ticket carries at least one of them.
import t from 'tap';
import { matches, type TicketFacts } from '../../src/sla/policies.js';

const ticket: TicketFacts = { priority: 'high', type_id: 2, group_id: 3, organization_id: 4, brand_id: 1, channel: 'email', tags: ['vip', 'billing'] };

t.test('each condition, alone and together', async (t) => {
  t.ok(matches({}, ticket), 'no conditions: any ticket');
  t.ok(matches({ priorities: [], tags: [] }, ticket), 'empty lists: any ticket');
  t.ok(matches({ priorities: ['urgent', 'high'] }, ticket));
  t.notOk(matches({ priorities: ['urgent'] }, ticket));
  t.ok(matches({ typeIds: [2] }, ticket));
  t.notOk(matches({ typeIds: [1] }, ticket));
  t.ok(matches({ groupIds: [3] }, ticket));
  t.notOk(matches({ groupIds: [3] }, { ...ticket, group_id: null }), 'a ticket without a group is in none');
  t.ok(matches({ organizationIds: [4, 5] }, ticket));
  t.notOk(matches({ organizationIds: [5] }, ticket));
  t.ok(matches({ brandIds: [1] }, ticket));
  t.notOk(matches({ brandIds: [2] }, ticket));
  t.ok(matches({ channels: ['email', 'portal'] }, ticket));
  t.notOk(matches({ channels: ['portal'] }, ticket));
  t.ok(matches({ tags: ['vip', 'refund'] }, ticket), 'one of the tags is enough');
  t.notOk(matches({ tags: ['refund'] }, ticket));
  t.ok(matches({ priorities: ['high'], groupIds: [3], tags: ['billing'] }, ticket), 'all together');
  t.notOk(matches({ priorities: ['high'], groupIds: [3], tags: ['refund'] }, ticket), 'one failing condition fails the policy');
});
