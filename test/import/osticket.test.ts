// `deskbell import osticket` (issue 22, point 4) from osTicket's CSV ticket export, with the columns
// its export picker names (test/fixtures/import/osticket). That export holds each ticket's details
// but not its conversation: each ticket gets one internal note that says so and keeps the rest.
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { checkRerunAndDryRun, fixture, fixtureCopy, importDesk, reported } from './helpers.js';

const FILE = fixture('osticket', 'tickets.csv');

t.test('an osTicket export becomes its requesters and tickets, each with a note of what else it said', async (t) => {
  const desk = await importDesk(t);
  const { db } = desk;
  const result = await desk.run('osticket', FILE);
  t.equal(result.code, 0, result.err);
  t.same(reported(result.out, 'people'), [1, 0, 0]);
  t.same(reported(result.out, 'tickets'), [2, 0, 0]);
  const id = await desk.local('osticket', 'ticket', '100231');
  const ticket = await db.selectFrom('tickets').innerJoin('statuses', 'statuses.id', 'tickets.status_id').innerJoin('users', 'users.id', 'tickets.requester_id')
    .select(['subject', 'priority', 'tickets.created_at', 'statuses.category', 'users.email', 'users.name']).where('tickets.id', '=', id).executeTakeFirstOrThrow();
  t.same(ticket, { subject: 'VPN drops every hour', priority: 'high', created_at: '2022-09-14T08:12:45.000Z', category: 'closed', email: 'carla@cole-law.test', name: 'Carla Cole' });
  const messages = await db.selectFrom('messages').select(['kind', 'body_text']).where('ticket_id', '=', id).execute();
  t.equal(messages.length, 1);
  t.equal(messages[0]!.kind, 'note', 'a note, never shown to the customer as if she had written it');
  t.match(messages[0]!.body_text, 'Imported from osTicket, ticket 100231.');
  t.match(messages[0]!.body_text, 'Department: IT Support');
  t.match(messages[0]!.body_text, 'Agent Assigned: Ivan IT');
  t.match(await desk.agent.page(`/agent/tickets/${id}`), 'VPN drops every hour');
  t.match(await desk.agent.page(`/agent/tickets/${id}?tab=internal`), 'Help Topic: VPN');
  const second = await db.selectFrom('tickets').select(['subject', 'priority']).where('id', '=', await desk.local('osticket', 'ticket', '100232')).executeTakeFirstOrThrow();
  t.same(second, { subject: 'New laptop for intern, please', priority: 'normal' }, 'a quoted subject with a comma');
  const portal = await desk.signIn('carla@cole-law.test');
  const own = await portal.page(`/portal/tickets/${id}`);
  t.match(own, 'VPN drops every hour', 'the customer finds her ticket');
  t.notMatch(own, 'Department: IT Support', 'but not the note');
});

checkRerunAndDryRun(t, 'osticket', [FILE], { organizations: [0, 0], people: [1, 0], tickets: [2, 0], messages: [2, 0], attachments: [0, 0] });

t.test('a bad row is reported with its ticket number; the rest is imported', async (t) => {
  const desk = await importDesk(t);
  const dir = await fixtureCopy(t, 'osticket');
  await appendFile(join(dir, 'tickets.csv'), '100233,2022-09-16 09:00:00,Printer,Pat,pat@cole-law.test,Whenever,IT Support,,Phone,Open,,,,,,,1,0,0,0\n');
  const result = await desk.run('osticket', join(dir, 'tickets.csv'));
  t.equal(result.code, 1);
  t.match(result.err, 'error: ticket 100233: unknown priority "Whenever"');
  t.same(reported(result.out, 'tickets'), [2, 0, 1]);
});
