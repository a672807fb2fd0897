import t from 'tap';
import { LIMITS } from '../../src/auth/throttle.js';
import { LOGIN_POLICY } from '../../src/config.js';
import { nowIso } from '../../src/lib/time.js';
import { receiveFromStdin } from '../../src/mailin/pipe.js';
import { receiveMessage } from '../../src/mailin/receive.js';
import { startSmtpReceiver } from '../../src/mailin/smtp.js';
import { DEFAULT_PER_SENDER_HOUR } from '../../src/mailin/trust.js';
import { postMultipart } from '../attachments/helpers.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';
import { deskWithTicket, depsOf, sendRaw } from '../mailin/helpers.js';

const quiet = { info() {}, warn() {}, error() {} };

function plainMail(from: string, n: number): Buffer {
  return Buffer.from([
    `From: Flood <${from}>`, 'To: support@desk.test', `Subject: Message ${n}`, `Message-ID: <flood-${n}-${from}>`,
    'Date: Tue, 03 Mar 2026 10:00:00 +0000', 'Content-Type: text/plain; charset=utf-8', '', `Body ${n}`, '',
  ].join('\r\n'));
}

t.test('a customer submitting ticket after ticket gets a 429 page with Retry-After, and no ticket', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const type = await db.insertInto('ticket_types').values({ name: 'IT support', created_at: nowIso(), position: 1 }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('settings').values({ key: 'portal.default_type_id', value: String(type.id) }).execute();
  const cora = await makeUser(db, 'customer');
  const client = new Client(app);
  await client.login(cora.email, PASSWORD);
  await client.get('/portal/tickets/new');
  const submit = (n: number) => postMultipart(app, client, '/portal/tickets', [
    { name: '_csrf', value: client.csrf }, { name: 'typeId', value: String(type.id) },
    { name: 'subject', value: `Problem ${n}` }, { name: 'message', value: 'It broke.' },
  ]);
  for (let n = 1; n <= LIMITS.portalTickets.max; n++) {
    const res = await submit(n);
    if (res.statusCode !== 303) t.fail(`submission ${n}: ${res.statusCode}`);
  }
  const refused = await submit(99);
  t.equal(refused.statusCode, 429);
  t.ok(Number(refused.headers['retry-after']) > 0 && Number(refused.headers['retry-after']) <= 3600, 'Retry-After in seconds');
  t.match(refused.body, 'You have submitted many tickets in a short time.');
  const count = await db.selectFrom('tickets').select(db.fn.countAll<number>().as('n')).where('requester_id', '=', cora.id).executeTakeFirstOrThrow();
  t.equal(Number(count.n), LIMITS.portalTickets.max, 'the refused ticket was not stored');

  const other = await makeUser(db, 'customer');
  const second = new Client(app);
  await second.login(other.email, PASSWORD);
  await second.get('/portal/tickets/new');
  const res = await postMultipart(app, second, '/portal/tickets', [
    { name: '_csrf', value: second.csrf }, { name: 'typeId', value: String(type.id) }, { name: 'subject', value: 'Mine' }, { name: 'message', value: 'Hello' },
  ]);
  t.equal(res.statusCode, 303, 'the limit is per customer');

  // The allowance is the admin setting portal.tickets_per_hour: lowered to 2, the customer who has
  // submitted one more ticket gets one more, then the 429.
  await db.insertInto('settings').values({ key: 'portal.tickets_per_hour', value: '2' }).execute();
  const again = (subject: string) => postMultipart(app, second, '/portal/tickets', [
    { name: '_csrf', value: second.csrf }, { name: 'typeId', value: String(type.id) }, { name: 'subject', value: subject }, { name: 'message', value: 'Hello' },
  ]);
  t.equal((await again('Second')).statusCode, 303, 'the second of two allowed');
  t.equal((await again('Third')).statusCode, 429, 'the third over the setting');
});

t.test('a customer sending many submissions at once gets exactly the allowance stored, the rest a 429', async (t) => {
  // The count and the insert are one step for every other writer (the writer lock on PostgreSQL, the
  // one writer on SQLite): submissions racing each other cannot all see room for one more.
  const { app, db } = await buildTestDesk(t);
  const type = await db.insertInto('ticket_types').values({ name: 'IT support', created_at: nowIso(), position: 1 }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('settings').values([{ key: 'portal.default_type_id', value: String(type.id) }, { key: 'portal.tickets_per_hour', value: '3' }]).execute();
  const cora = await makeUser(db, 'customer');
  const client = new Client(app);
  await client.login(cora.email, PASSWORD);
  await client.get('/portal/tickets/new');
  const answers = await Promise.all(Array.from({ length: 8 }, (_, n) => postMultipart(app, client, '/portal/tickets', [
    { name: '_csrf', value: client.csrf }, { name: 'typeId', value: String(type.id) },
    { name: 'subject', value: `At once ${n}` }, { name: 'message', value: 'It broke.' },
  ])));
  t.same(answers.map((res) => res.statusCode).sort(), [303, 303, 303, 429, 429, 429, 429, 429], 'three stored, five refused');
  const count = await db.selectFrom('tickets').select(db.fn.countAll<number>().as('n')).where('requester_id', '=', cora.id).executeTakeFirstOrThrow();
  t.equal(Number(count.n), 3, 'three tickets, as allowed');
});

t.test('invitations: one address is invited at most a few times an hour, then 429 and no mail', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = await makeUser(db, 'agent');
  const client = new Client(app);
  await client.login(agent.email, PASSWORD);
  await client.get('/agent/customers/invite');
  for (let n = 0; n < LIMITS.invitesPerAddress.max; n++) {
    t.equal((await client.post('/agent/customers/invite', { name: 'Vic', email: 'victim@example.test' })).statusCode, 303);
  }
  const outbox = async () => { await app.worker.consume(); return (await db.selectFrom('jobs').select('id').where('kind', '=', 'mail').execute()).length; };
  const sent = await outbox();
  const refused = await client.post('/agent/customers/invite', { name: 'Vic', email: 'Victim@Example.test' });
  t.equal(refused.statusCode, 429);
  t.ok(Number(refused.headers['retry-after']) > 0);
  t.match(refused.body, 'Too many invitations in a short time.');
  t.equal(await outbox(), sent, 'no further invitation mail was queued');
  t.equal((await client.post('/agent/customers/invite', { name: 'Other', email: 'other@example.test' })).statusCode, 303, 'another address is fine');
});

t.test('a customer adding CC after CC (each a new address, each an invitation) is capped', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const cora = await makeUser(db, 'customer');
  const [ticketId] = await makeTickets(db, 1, { requesterId: cora.id });
  const client = new Client(app);
  await client.login(cora.email, PASSWORD);
  await client.get(`/portal/tickets/${ticketId}`);
  let status = 0;
  let n = 0;
  for (; n <= LIMITS.invitesPerInviter.max && status !== 429; n++) {
    status = (await client.post(`/portal/tickets/${ticketId}/ccs`, { email: `stranger${n}@example.test` })).statusCode;
  }
  t.equal(status, 429, 'refused once the cap is reached');
  t.equal(n, LIMITS.invitesPerInviter.max + 1);
  const invited = await db.selectFrom('users').select('id').where('email', 'like', 'stranger%').execute();
  t.equal(invited.length, LIMITS.invitesPerInviter.max, 'the refused address was not added');
});

t.test('inbound mail: a flooding sender is told to try later (SMTP 451, pipe exit 75), others are not', async (t) => {
  const desk = await deskWithTicket(t);
  const deps = depsOf(desk);
  const flooder = 'flood@customer.test';
  for (let n = 0; n < DEFAULT_PER_SENDER_HOUR; n++) {
    const outcome = await receiveMessage(deps, plainMail(flooder, n));
    if (outcome.status !== 'stored') t.fail(`mail ${n}: ${outcome.status}`);
  }
  const before = await desk.db.selectFrom('messages').select('id').execute();

  const receiver = await startSmtpReceiver(deps, '127.0.0.1:0', quiet);
  t.teardown(() => receiver.close());
  const smtp = await sendRaw(receiver.port, plainMail(flooder, 1000), { from: flooder, to: ['support@desk.test'] })
    .then(() => null, (error: { responseCode?: number; response?: string }) => error);
  t.equal(smtp?.responseCode, 451, 'a temporary failure: the sending MTA keeps the mail and retries');
  t.match(String(smtp?.response), /try again later/i);

  const err: string[] = [];
  const code = await receiveFromStdin(() => desk.config, { out: () => {}, err: (s) => err.push(s), stdin: async () => plainMail(flooder, 1001) });
  t.equal(code, 75, 'EX_TEMPFAIL for an MTA pipe');
  t.match(err.join(''), /^deskbell: mail not stored: Too many messages from this sender; try again later\. \(try again in \d+ s\)\n$/, 'the MTA log gets a sentence, not a catalogue key');
  t.equal((await desk.db.selectFrom('messages').select('id').execute()).length, before.length, 'nothing stored');

  const other = await receiveMessage(deps, plainMail('someone@customer.test', 1));
  t.equal(other.status, 'stored', 'other senders are not affected');
});

t.test('inbound mail: the per-sender limit is an admin setting (Admin → Mail), checked on save', async (t) => {
  const desk = await deskWithTicket(t);
  const admin = await makeUser(desk.db, 'admin');
  const browser = new Client(desk.app);
  await browser.login(admin.email, PASSWORD);
  const page = await browser.get('/admin/mail');
  t.equal(page.statusCode, 200);
  t.match(page.body, `name="perSenderHour" type="number"`);
  t.match(page.body, `value="${DEFAULT_PER_SENDER_HOUR}"`);
  const form = { allowNew: '1', trustedIds: '', ccCap: '5' };
  const refused = await browser.post('/admin/mail/settings', { ...form, perSenderHour: '0' });
  t.equal(refused.statusCode, 422);
  t.match(refused.body, 'between 1 and 10000');
  t.match(refused.body, 'value="0"', 'the value typed is kept');
  t.equal((await browser.post('/admin/mail/settings', { ...form, perSenderHour: '3' })).statusCode, 303);
  const deps = depsOf(desk);
  const outcomes = [];
  for (let n = 0; n < 3; n++) outcomes.push((await receiveMessage(deps, plainMail('chatty@customer.test', n))).status);
  t.same(outcomes, ['stored', 'stored', 'stored']);
  await t.rejects(receiveMessage(deps, plainMail('chatty@customer.test', 3)), { name: 'TooManyRequests' }, 'the fourth waits');
});

// Issue 15, point 3: every attempt is counted before its password is checked, atomically, so a burst
// of parallel guesses gets no more checks than one guess after another would.
const BURST = 30;
const FREE_GUESSES = LOGIN_POLICY.freeFailures;

t.test(`${BURST} wrong passwords at once for one account: no more than ${FREE_GUESSES} are checked, the rest wait (429)`, async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = await makeUser(db, 'agent');
  const attacker = new Client(app, '10.9.0.1');
  await attacker.get('/login');
  const answers = await Promise.all(Array.from({ length: BURST }, (_, n) =>
    attacker.post('/login', { email: agent.email, password: `guess number ${n}` })));
  const statuses = answers.map((r) => r.statusCode);
  const checked = statuses.filter((s) => s === 422).length;
  t.ok(checked >= 1 && checked <= FREE_GUESSES, `${checked} guesses were checked`);
  t.equal(statuses.filter((s) => s === 429).length, BURST - checked, 'every other guess was told to wait');
  t.ok(answers.filter((r) => r.statusCode === 429).every((r) => Number(r.headers['retry-after']) > 0), 'with Retry-After');
});

t.test(`${BURST} wrong current passwords at once on the password form: no more than ${FREE_GUESSES} are checked`, async (t) => {
  const { app, db } = await buildTestDesk(t);
  const user = await makeUser(db, 'customer');
  const thief = new Client(app, '10.9.0.2');
  await thief.login(user.email, PASSWORD);
  await thief.get('/account');
  const answers = await Promise.all(Array.from({ length: BURST }, (_, n) =>
    thief.post('/account/password', { current: `guess number ${n}`, password: 'a brand new secret', confirm: 'a brand new secret' })));
  const checked = answers.filter((r) => r.statusCode === 422).length;
  t.ok(checked >= 1 && checked <= FREE_GUESSES, `${checked} guesses were checked`);
  t.equal(answers.filter((r) => r.statusCode === 429).length, BURST - checked);
  t.equal((await new Client(app, '10.9.0.3').login(user.email, PASSWORD)).statusCode, 303, 'the password is unchanged');
});

t.test(`${BURST} "forgot password" requests at once for one address: no more than the limit are mailed`, async (t) => {
  const { app, db } = await buildTestDesk(t);
  const user = await makeUser(db, 'customer');
  const client = new Client(app, '10.9.0.4');
  await client.get('/password/forgot');
  const answers = await Promise.all(Array.from({ length: BURST }, () => client.post('/password/forgot', { email: user.email })));
  const accepted = answers.filter((r) => r.statusCode === 303).length;
  t.equal(accepted, 5, 'five requests an hour for one address');
  t.equal(answers.filter((r) => r.statusCode === 429).length, BURST - accepted);
  await app.worker.consume();
  const mails = await db.selectFrom('jobs').select('id').where('kind', '=', 'mail').execute();
  t.equal(mails.length, accepted, 'one mail per accepted request, no more');
});
