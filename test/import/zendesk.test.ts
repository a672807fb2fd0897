// `deskbell import zendesk` (issue 22, point 4) from a Zendesk JSON export written after Zendesk's
// API reference (test/fixtures/import/zendesk): its organisation, people, tickets with public
// replies and internal notes kept apart, a file beside the export, the original ids and dates.
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { checkRerunAndDryRun, fixture, fixtureCopy, importDesk, reported } from './helpers.js';

const FILES = ['organizations.json', 'users.json', 'tickets.json'].map((name) => fixture('zendesk', name));

t.test('a Zendesk export becomes people, an organisation, tickets, replies, notes and a file', async (t) => {
  const desk = await importDesk(t);
  const { db } = desk;
  const result = await desk.run('zendesk', ...FILES);
  t.equal(result.code, 0, result.err);
  t.same(reported(result.out, 'organizations'), [1, 0, 0]);
  t.same(reported(result.out, 'people'), [3, 0, 0]);
  t.same(reported(result.out, 'tickets'), [2, 0, 0]);
  t.same(reported(result.out, 'messages'), [4, 0, 0]);
  t.same(reported(result.out, 'attachments'), [1, 1, 0], 'one file imported, one left out');
  t.match(result.err, /left out: ticket 35437, file 502: https:\/\/oldesk\.zendesk\.com\/attachments\/token\/Ord502\/\?name=order\.pdf is not in the export \(files are never fetched/);

  const org = await db.selectFrom('organizations').selectAll().where('name', '=', 'Acme Tools').executeTakeFirstOrThrow();
  t.equal(org.domains, 'acme-tools.test');
  t.match(org.notes, 'Pays on time');
  const people = await db.selectFrom('users').select(['email', 'name', 'role', 'state', 'organization_id']).where('email', 'in', ['alice@acme-tools.test', 'sam@oldesk.test', 'olga@oldesk.test']).orderBy('email').execute();
  t.same(people, [
    { email: 'alice@acme-tools.test', name: 'Alice Buyer', role: 'customer', state: 'invited', organization_id: org.id },
    { email: 'olga@oldesk.test', name: 'Olga Owner', role: 'agent', state: 'invited', organization_id: null },
    { email: 'sam@oldesk.test', name: 'Sam Support', role: 'agent', state: 'invited', organization_id: null },
  ], 'customers and staff, staff as agents (an export grants no admin), invited without a mail');

  const id = await desk.local('zendesk', 'ticket', '35436');
  const ticket = await db.selectFrom('tickets').innerJoin('statuses', 'statuses.id', 'tickets.status_id')
    .select(['subject', 'priority', 'tickets.created_at', 'statuses.category', 'requester_id', 'organization_id']).where('tickets.id', '=', id).executeTakeFirstOrThrow();
  const alice = await db.selectFrom('users').select('id').where('email', '=', 'alice@acme-tools.test').executeTakeFirstOrThrow();
  t.same(ticket, { subject: 'Printer on fire', priority: 'urgent', created_at: '2020-05-04T10:00:00.000Z', category: 'solved', requester_id: alice.id, organization_id: org.id }, 'the original date and status');
  const messages = await db.selectFrom('messages').innerJoin('users', 'users.id', 'messages.author_id')
    .select(['messages.id', 'kind', 'body_text', 'body_html', 'messages.created_at', 'users.email']).where('ticket_id', '=', id).orderBy('messages.id').execute();
  t.same(messages.map((m) => [m.kind, m.email, m.created_at]), [
    ['reply', 'alice@acme-tools.test', '2020-05-04T10:00:00.000Z'],
    ['note', 'sam@oldesk.test', '2020-05-04T11:15:00.000Z'],
    ['reply', 'sam@oldesk.test', '2020-05-04T11:20:00.000Z'],
  ], 'public replies and the internal note apart, by their authors, at their times');
  t.match(messages[2]!.body_html, '<strong>unplug it</strong>', 'the HTML kept');
  t.notMatch(messages[2]!.body_html, 'script', 'but sanitised');
  t.equal(await desk.local('zendesk', 'message', '9002'), messages[1]!.id, 'the original comment id kept');
  const files = await db.selectFrom('attachments').selectAll().where('message_id', '=', messages[0]!.id).execute();
  t.same(files.map((f) => [f.filename, f.size]), [['smoke.txt', 42]], 'the file beside the export, on the first message');

  const page = await desk.agent.page(`/agent/tickets/${id}`);
  t.match(page, 'Printer on fire');
  t.match(page, 'Our printer is on fire! Smoke log attached.');
  t.match(page, 'A technician is on the way.');
  t.match(page, 'smoke.txt');
  t.match(await desk.agent.page(`/agent/tickets/${id}?tab=internal`), 'Warranty checked: still covered until 2021.', 'the note among the internal messages');
  const download = await desk.agent.get(`/attachments/${files[0]!.id}/smoke.txt`);
  t.equal(download.body, 'Smoke level: high\nToner temperature: 240C\n', 'the file\'s bytes');

  const portal = await desk.signIn('alice@acme-tools.test');
  const own = await portal.page(`/portal/tickets/${id}`);
  t.match(own, 'A technician is on the way.', 'the customer reads the public reply');
  t.notMatch(own, 'Warranty checked', 'never the internal note');
});

checkRerunAndDryRun(t, 'zendesk', FILES, {
  organizations: [1, 0], people: [3, 0], tickets: [2, 0], messages: [4, 0], attachments: [1, 1],
});

t.test('bad rows are reported with their ids and reasons, the rest is imported, and the exit code says so', async (t) => {
  const desk = await importDesk(t);
  const dir = await fixtureCopy(t, 'zendesk');
  await appendFile(join(dir, 'tickets.json'), [
    '{"id":40001,"subject":"Nobody asked","status":"open","requester_id":999,"created_at":"2020-07-01T10:00:00Z","comments":[{"id":9100,"author_id":999,"public":true,"body":"?","created_at":"2020-07-01T10:00:00Z"}]}',
    '{"id":40002,"subject":"When?","status":"open","requester_id":1001,"created_at":"last Tuesday","comments":[]}',
    'this line is not JSON',
    '',
  ].join('\n'));
  const result = await desk.run('zendesk', ...['organizations.json', 'users.json', 'tickets.json'].map((name) => join(dir, name)));
  t.equal(result.code, 1, 'a row failed');
  t.match(result.err, 'error: ticket 40001: its requester 999 is not in the export');
  t.match(result.err, /error: ticket 40002: created_at "last Tuesday" is not a date/);
  t.match(result.err, 'error: ticket tickets.json line 5: the line is not JSON');
  t.same(reported(result.out, 'tickets'), [2, 0, 3]);
  t.ok(await desk.local('zendesk', 'ticket', '35436'), 'the good tickets are in');
  t.equal((await desk.db.selectFrom('tickets').select('id').where('subject', '=', 'Nobody asked').execute()).length, 0, 'the bad one is not');
});
