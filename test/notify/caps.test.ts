import t from 'tap';
import { makeTickets } from '../helpers/factories.js';
import { notifyDesk } from './helpers.js';

t.test('automatic mail to one address stops at the hourly cap, and the ticket says so', async (t) => {
  const { db, staff, cora, delivered } = await notifyDesk(t);
  await db.insertInto('settings').values({ key: 'mail.cap_per_address_hour', value: '3' }).execute();
  const ids = await makeTickets(db, 4, { requesterId: cora.id, subject: 'Storm' });
  for (const id of ids) await staff.post(`/agent/tickets/${id}/status`, { statusId: '4' });
  const mails = await delivered();
  t.equal(mails.filter((m) => m.to.includes('cora@example.test')).length, 3, 'three solved mails, the fourth held back');
  const events = await db.selectFrom('ticket_events').select(['ticket_id', 'kind', 'from_value', 'to_value']).where('kind', '=', 'mail_capped').execute();
  t.same(events, [{ ticket_id: ids[3], kind: 'mail_capped', from_value: 'solved', to_value: 'cora@example.test' }]);

  await staff.post(`/agent/tickets/${ids[3]}/messages`, { kind: 'reply', body: 'A person writing is never capped' });
  t.ok((await delivered()).some((m) => m.to.includes('cora@example.test')));
});

t.test('automatic mail on one ticket stops at the hourly cap whoever it is for', async (t) => {
  const { db, staff, portal, id, agent, delivered } = await notifyDesk(t);
  await db.insertInto('settings').values({ key: 'mail.cap_per_ticket_hour', value: '2' }).execute();
  await db.updateTable('tickets').set({ assignee_id: agent.id }).where('id', '=', id).execute();
  await staff.post(`/agent/tickets/${id}/status`, { statusId: '4' });
  t.same((await delivered()).map((m) => m.to).flat(), ['cora@example.test'], 'the solved mail');
  for (const body of ['Not solved', 'Still not', 'Hello?']) {
    await portal.post(`/portal/tickets/${id}/replies`, { body });
  }
  t.same((await delivered()).map((m) => m.to).flat(), ['kim@desk.test'], 'one alert to the assignee, then silence');
  t.equal((await db.selectFrom('ticket_events').select('id').where('ticket_id', '=', id).where('kind', '=', 'mail_capped').execute()).length, 2);
});
