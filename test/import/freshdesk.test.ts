// `deskbell import freshdesk` (issue 22, point 4) from Freshdesk's JSON (API v2 shapes, written after
// Freshdesk's API reference: test/fixtures/import/freshdesk): a company, a contact and an agent, a
// ticket whose description is the first message and whose private conversation stays a note.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { checkRerunAndDryRun, fixture, fixtureCopy, importDesk, reported } from './helpers.js';

const NAMES = ['companies.json', 'contacts.json', 'agents.json', 'tickets.json'];
const FILES = NAMES.map((name) => fixture('freshdesk', name));

t.test('a Freshdesk export becomes a company, people, a ticket with its conversation and its file', async (t) => {
  const desk = await importDesk(t);
  const { db } = desk;
  const result = await desk.run('freshdesk', ...FILES);
  t.equal(result.code, 0, result.err);
  t.same(reported(result.out, 'organizations'), [1, 0, 0]);
  t.same(reported(result.out, 'people'), [2, 0, 0]);
  t.same(reported(result.out, 'tickets'), [1, 0, 0]);
  t.same(reported(result.out, 'messages'), [4, 0, 0]);
  t.same(reported(result.out, 'attachments'), [1, 0, 0]);

  const bruno = await db.selectFrom('users').innerJoin('organizations', 'organizations.id', 'users.organization_id')
    .select(['users.id', 'users.role', 'organizations.name as org', 'organizations.domains']).where('email', '=', 'bruno@bolt-bikes.test').executeTakeFirstOrThrow();
  t.match(bruno, { role: 'customer', org: 'Bolt Bikes', domains: 'bolt-bikes.test' });
  t.equal((await db.selectFrom('users').select('role').where('email', '=', 'fiona@freshdesk-old.test').executeTakeFirstOrThrow()).role, 'agent', 'the agent from its contact');

  const id = await desk.local('freshdesk', 'ticket', '77');
  const ticket = await db.selectFrom('tickets').innerJoin('statuses', 'statuses.id', 'tickets.status_id')
    .select(['subject', 'priority', 'tickets.created_at', 'statuses.category', 'requester_id']).where('tickets.id', '=', id).executeTakeFirstOrThrow();
  t.same(ticket, { subject: 'Brake pads out of stock', priority: 'high', created_at: '2021-03-01T08:00:00.000Z', category: 'closed', requester_id: bruno.id });
  const messages = await db.selectFrom('messages').innerJoin('users', 'users.id', 'messages.author_id')
    .select(['messages.id', 'kind', 'body_text', 'users.email', 'messages.created_at']).where('ticket_id', '=', id).orderBy('messages.id').execute();
  t.same(messages.map((m) => [m.kind, m.email, m.body_text]), [
    ['reply', 'bruno@bolt-bikes.test', 'When will the brake pads be back in stock?'],
    ['note', 'fiona@freshdesk-old.test', 'Supplier says two weeks.'],
    ['reply', 'fiona@freshdesk-old.test', 'They will be back in two weeks; we will reserve a set for you.'],
    ['reply', 'bruno@bolt-bikes.test', 'Thanks, reserve two sets please.'],
  ]);
  t.equal(messages[3]!.created_at, '2021-03-02T10:00:00.000Z');
  const [file] = await db.selectFrom('attachments').select(['id', 'filename']).where('message_id', '=', messages[0]!.id).execute();
  t.equal(file?.filename, 'parts-list.txt', 'the description\'s file, from beside the export');

  const page = await desk.agent.page(`/agent/tickets/${id}`);
  t.match(page, 'Brake pads out of stock');
  t.match(page, 'we will reserve a set for you');
  t.match(page, 'parts-list.txt');
  t.match(await desk.agent.page(`/agent/tickets/${id}?tab=internal`), 'Supplier says two weeks.');
  const portal = await desk.signIn('bruno@bolt-bikes.test');
  const own = await portal.page(`/portal/tickets/${id}`);
  t.match(own, 'Thanks, reserve two sets please.');
  t.notMatch(own, 'Supplier says two weeks.', 'the private note stays with the staff');
});

checkRerunAndDryRun(t, 'freshdesk', FILES, { organizations: [1, 0], people: [2, 0], tickets: [1, 0], messages: [4, 0], attachments: [1, 0] });

t.test('a bad ticket is reported and the rest imported', async (t) => {
  const desk = await importDesk(t);
  const dir = await fixtureCopy(t, 'freshdesk');
  await writeFile(join(dir, 'more-tickets.json'), JSON.stringify({ tickets: [
    { id: 78, subject: 'Odd one', status: 2, priority: 9, requester_id: 43000111, created_at: '2021-04-01T08:00:00Z', description_text: 'Hi' },
    { id: 79, subject: 'Fine one', status: 2, priority: 1, requester_id: 43000111, created_at: '2021-04-02T08:00:00Z', description_text: 'A fine question' },
  ] }));
  const result = await desk.run('freshdesk', ...[...NAMES, 'more-tickets.json'].map((name) => join(dir, name)));
  t.equal(result.code, 1);
  t.match(result.err, 'error: ticket 78: unknown priority 9');
  t.same(reported(result.out, 'tickets'), [2, 0, 1]);
  t.match(await desk.agent.page(`/agent/tickets/${await desk.local('freshdesk', 'ticket', '79')}`), 'A fine question');
});
