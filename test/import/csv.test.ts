// `deskbell import csv` (issue 22, point 4): Deskbell's own CSV of tickets and messages, one row per
// message (docs/import.md), with a file named by its path beside the CSV.
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { checkRerunAndDryRun, fixture, fixtureCopy, importDesk, reported } from './helpers.js';

const FILE = fixture('csv', 'tickets.csv');

t.test('a CSV of tickets and messages becomes tickets with replies, notes and a file', async (t) => {
  const desk = await importDesk(t);
  const { db } = desk;
  const result = await desk.run('csv', FILE);
  t.equal(result.code, 0, result.err);
  t.same(reported(result.out, 'organizations'), [1, 0, 0]);
  t.same(reported(result.out, 'people'), [2, 0, 0]);
  t.same(reported(result.out, 'tickets'), [2, 0, 0]);
  t.same(reported(result.out, 'messages'), [4, 0, 0]);
  t.same(reported(result.out, 'attachments'), [1, 0, 0]);

  const dora = await db.selectFrom('users').innerJoin('organizations', 'organizations.id', 'users.organization_id')
    .select(['users.role', 'users.name', 'organizations.name as org']).where('email', '=', 'dora@dune-labs.test').executeTakeFirstOrThrow();
  t.same(dora, { role: 'customer', name: 'Dora Dune', org: 'Dune Labs' });
  t.equal((await db.selectFrom('users').select('role').where('email', '=', 'eli@support.test').executeTakeFirstOrThrow()).role, 'agent');

  const id = await desk.local('csv', 'ticket', 'T-1');
  const ticket = await db.selectFrom('tickets').innerJoin('statuses', 'statuses.id', 'tickets.status_id')
    .select(['subject', 'priority', 'tickets.created_at', 'statuses.category']).where('tickets.id', '=', id).executeTakeFirstOrThrow();
  t.same(ticket, { subject: 'Password reset link expired', priority: 'high', created_at: '2023-01-10T09:00:00.000Z', category: 'solved' });
  const messages = await db.selectFrom('messages').select(['kind', 'body_text', 'created_at']).where('ticket_id', '=', id).orderBy('id').execute();
  t.same(messages.map((m) => [m.kind, m.created_at]), [
    ['reply', '2023-01-10T09:00:00.000Z'], ['note', '2023-01-10T09:30:00.000Z'], ['reply', '2023-01-10T09:45:00.000Z'],
  ]);
  t.equal(messages[2]!.body_text, 'I sent a new link; it is valid for a day now.\nSorry for the trouble!', 'a body over two lines, quoted');
  const second = await db.selectFrom('tickets').innerJoin('statuses', 'statuses.id', 'tickets.status_id').select(['priority', 'statuses.category'])
    .where('tickets.id', '=', await desk.local('csv', 'ticket', 'T-2')).executeTakeFirstOrThrow();
  t.same(second, { priority: 'normal', category: 'open' }, 'blank columns take the defaults');

  const page = await desk.agent.page(`/agent/tickets/${id}`);
  t.match(page, 'Password reset link expired');
  t.match(page, 'The reset link says it expired, but I clicked it at once.');
  t.match(page, 'screenshot.txt');
  t.match(await desk.agent.page(`/agent/tickets/${id}?tab=internal`), 'Known issue: mail server clock is 2 hours ahead.');
  const portal = await desk.signIn('dora@dune-labs.test');
  const own = await portal.page(`/portal/tickets/${id}`);
  t.match(own, 'Sorry for the trouble!');
  t.notMatch(own, 'Known issue', 'the customer never reads the note');
});

checkRerunAndDryRun(t, 'csv', [FILE], { organizations: [1, 0], people: [2, 0], tickets: [2, 0], messages: [4, 0], attachments: [1, 0] });

t.test('bad rows are reported by id and reason; the rest is imported; a later run adds new messages to an imported ticket', async (t) => {
  const desk = await importDesk(t);
  const dir = await fixtureCopy(t, 'csv');
  const file = join(dir, 'tickets.csv');
  await appendFile(file, [
    'T-3,Broken,open,,not-an-address,,,M-5,2023-03-01T10:00:00Z,x@y.test,,,,Hello,',
    'T-1,,,,,,,M-6,yesterday,eli@support.test,Eli Helper,agent,public,Late answer,',
    'T-2,,,,,,,M-7,2023-02-01T15:00:00Z,eli@support.test,Eli Helper,agent,secret,Hidden?,',
    'T-2,,,,,,,M-8,2023-02-01T16:00:00Z,eli@support.test,Eli Helper,agent,public,Finn is added.,files/missing.txt',
    '',
  ].join('\n'));
  const result = await desk.run('csv', file);
  t.equal(result.code, 1, 'rows failed');
  t.match(result.err, 'error: ticket T-3: "not-an-address" is not an email address');
  t.match(result.err, /error: message M-6: created_at "yesterday" is not a date/);
  t.match(result.err, 'error: message M-7: visibility "secret" is neither public nor internal');
  t.match(result.err, /error: ticket T-2, file M-8\/missing\.txt: .*missing\.txt is not there/);
  t.same(reported(result.out, 'tickets'), [2, 0, 1]);
  t.same(reported(result.out, 'messages'), [5, 0, 2]);
  const t2 = await desk.local('csv', 'ticket', 'T-2');
  t.match(await desk.agent.page(`/agent/tickets/${t2}`), 'Finn is added.', 'the good message is in, without its missing file');

  await appendFile(file, 'T-2,,,,,,,M-9,2023-02-02T09:00:00Z,dora@dune-labs.test,Dora Dune,customer,public,Thanks!,\n');
  const again = await desk.run('csv', file);
  t.same(reported(again.out, 'tickets'), [0, 2, 1], 'no ticket made twice');
  t.same(reported(again.out, 'messages'), [1, 5, 2], 'the new message is added');
  t.equal((await desk.db.selectFrom('messages').select('id').where('ticket_id', '=', t2).execute()).length, 3);
});

t.test('a wrong command line, a missing file or a file of another shape stops before anything is written', async (t) => {
  const desk = await importDesk(t);
  const before = await desk.counts();
  const format = await desk.run('excel', FILE);
  t.equal(format.code, 2, 'an unknown format is a usage error');
  t.match(format.err, 'import needs a format: zendesk, freshdesk, osticket, csv');
  t.equal((await desk.run('csv')).code, 2, 'no file');
  const missing = await desk.run('csv', join(FILE, '..', 'nothing.csv'));
  t.equal(missing.code, 1);
  t.match(missing.err, /cannot read .*nothing\.csv/);
  const other = await desk.run('csv', fixture('osticket', 'tickets.csv'));
  t.equal(other.code, 1, 'an osTicket export is not a Deskbell CSV');
  t.match(other.err, 'tickets.csv: the header lacks ticket_id, message_id, created_at, author_email, body (see docs/import.md)');
  t.same(await desk.counts(), before, 'nothing written');
});
