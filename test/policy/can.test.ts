import t from 'tap';
import type { Role } from '../../src/db/schema.js';
import { can, decide, rolesThatCan, sideOf } from '../../src/policy/can.js';

const person = (role: Role, id = 10) => ({ id, role });

t.test('the questions that need a subject', async (t) => {
  const customer = person('customer');
  t.ok(can(customer, 'ticket.cancel', { requester_id: 10 }), 'a requester cancels their own ticket');
  t.notOk(can(customer, 'ticket.cancel', { requester_id: 11 }), 'a CC does not');
  t.ok(can(person('agent'), 'ticket.cancel', { requester_id: 11 }), 'staff cancel any ticket they see');

  t.notOk(can(customer, 'message.see', { kind: 'note' }), 'customers never read notes');
  t.ok(can(customer, 'message.see', { kind: 'update' }), 'but they read service updates');
  t.ok(can(person('agent'), 'message.see', { kind: 'note' }));

  t.ok(can(person('agent'), 'view.manage', { owner_id: 10, shared: 0 }), 'one\'s own personal view');
  t.notOk(can(person('agent'), 'view.manage', { owner_id: 10, shared: 1 }), 'not a shared one, even one\'s own');
  t.ok(can(person('supervisor', 3), 'view.manage', { owner_id: 10, shared: 1 }), 'supervisors manage shared views');
  t.notOk(can(person('admin', 3), 'view.manage', { owner_id: 10, shared: 0 }), 'nobody else\'s personal view');

  t.ok(can(person('supervisor'), 'group.manageMembers', { memberIds: [10] }), 'a supervisor in the group');
  t.notOk(can(person('supervisor'), 'group.manageMembers', { memberIds: [4] }), 'not in someone else\'s group');
  t.ok(can(person('admin'), 'group.manageMembers', { memberIds: [] }), 'admins any group');
  t.notOk(can(person('agent'), 'group.manageMembers', { memberIds: [10] }), 'agents none, not even their own');

  t.ok(can(person('agent'), 'person.create', { role: 'customer' }), 'agents add customers');
  t.notOk(can(person('supervisor'), 'person.create', { role: 'agent' }), 'only admins add staff');
  t.ok(can(person('admin'), 'person.create', { role: 'admin' }));
  t.notOk(can(customer, 'person.create', { role: 'customer' }), 'customers add nobody');
});

t.test('nobody, and disabled accounts, may do nothing', async (t) => {
  t.notOk(can(null, 'account.use'));
  t.notOk(can({ ...person('admin'), state: 'disabled' }, 'admin.access'));
  t.ok(can({ ...person('admin'), state: 'invited' }, 'admin.access'), 'an invited admin is an admin once signed in');
  t.throws(() => decide(person('admin'), 'toString' as never), /unknown action/, 'a name off the object prototype is no action');
  t.throws(() => decide(person('admin'), 'ticket.fly' as never), /unknown action/, 'a misspelt action is a bug, not a no');
});

t.test('sides and role lists for queries follow the same table', async (t) => {
  t.equal(sideOf({ role: 'supervisor' }), 'staff');
  t.equal(sideOf({ role: 'customer' }), 'customer');
  t.same(rolesThatCan('team.manage'), ['admin', 'supervisor']);
  t.same(rolesThatCan('desk.use'), ['admin', 'supervisor', 'agent']);
});

t.test('the help center: agents write drafts, supervisors and admins publish (issue 23)', async (t) => {
  t.ok(can(person('agent'), 'help.manage'), 'an agent writes articles');
  t.notOk(can(person('agent'), 'help.publish'), 'but does not publish them');
  t.ok(can(person('supervisor'), 'help.publish'), 'a supervisor publishes');
  t.ok(can(person('admin'), 'help.publish'), 'an admin publishes');
  t.notOk(can(person('customer'), 'help.publish'), 'a customer neither writes nor publishes');
  t.same(rolesThatCan('help.publish').sort(), ['admin', 'supervisor']);
});
