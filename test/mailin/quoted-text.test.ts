import t, { type Test } from 'tap';
import { startSmtpReceiver } from '../../src/mailin/smtp.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import { deskWithTicket, depsOf, filesOf, fixture, messagesOf, sendRaw, STATUS } from './helpers.js';

const quiet = { info() {}, warn() {}, error() {} };
const TOKEN_ADDRESS = 'support+1.jF6fOTchNvPITaS7@desk.test';

async function setup(t: Test) {
  const desk = await deskWithTicket(t, STATUS.open);
  const receiver = await startSmtpReceiver(depsOf(desk), '127.0.0.1:0', quiet);
  t.teardown(() => receiver.close());
  const agent = await makeUser(desk.db, 'agent');
  const browser = new Client(desk.app);
  await browser.login(agent.email, PASSWORD);
  const customer = new Client(desk.app);
  await customer.login('casey@customer.test', PASSWORD);
  return { ...desk, port: receiver.port, browser, customer };
}

/** The "show quoted text" blocks of a page, their text as the browser shows it. */
const quotedBlocks = (html: string) => [...html.matchAll(/<details class="mail-quoted">\s*<summary>([^<]*)<\/summary>\s*<pre>([\s\S]*?)<\/pre>/g)]
  .map((m) => ({ summary: m[1], text: m[2]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&') }));

t.test('agents can expand "show quoted text" on a reply by mail; the customer sees only the reply; the original stays as .eml', async (t) => {
  const desk = await setup(t);
  await sendRaw(desk.port, fixture('gmail-reply.eml'), { from: 'casey@customer.test', to: [TOKEN_ADDRESS] });
  const reply = (await messagesOf(desk.db, desk.ticketId)).at(-1)!;
  t.equal(reply.body_text, 'Thanks, turning it off and on again worked. The smoke is gone.\n\nCasey', 'the stored reply is the new text');

  const page = await desk.browser.page(`/agent/tickets/${desk.ticketId}`);
  const blocks = quotedBlocks(page);
  t.equal(blocks.length, 1, 'one message has text that was cut');
  t.equal(blocks[0]!.summary, 'Show quoted text');
  t.match(blocks[0]!.text, /^Thanks, turning it off and on again worked\.[\s\S]*wrote:\n\n> Hello Casey,\n>\n> have you tried turning it off and on again\?/, 'the whole mail text, the quote with its attribution');
  t.notMatch(page, /<pre>[^<]*<support\+1/, 'the quoted text is escaped');
  t.notMatch(page.replace(/<details class="mail-quoted">[\s\S]*?<\/details>/g, ''), 'have you tried', 'the quote is only inside the folded block');

  const portal = await desk.customer.get(`/portal/tickets/${desk.ticketId}`);
  t.equal(portal.statusCode, 200);
  t.match(portal.body, 'The smoke is gone');
  t.notMatch(portal.body, 'Show quoted text');
  t.notMatch(portal.body, 'have you tried');

  // The full original is the .eml on the message, for agents to download.
  const [eml] = await filesOf(desk.db, reply.id);
  t.equal(eml!.filename, `mail-${reply.id}.eml`);
  const file = await desk.db.selectFrom('attachments').select('id').where('message_id', '=', reply.id).executeTakeFirstOrThrow();
  const download = await desk.browser.get(`/attachments/${file.id}/${eml!.filename}`);
  t.equal(download.statusCode, 200);
  t.match(download.body, 'have you tried turning it off and on again?');
});

t.test('an Outlook HTML reply keeps its cut header block for agents; a mail with nothing cut has no fold', async (t) => {
  const desk = await setup(t);
  const html = '<html><body><p class="MsoNormal">The display now says READY.</p><div id="divRplyFwdMsg"><b>From:</b> Help Desk &lt;support@desk.test&gt;<br><b>Sent:</b> Tuesday, March 3, 2026 10:02 AM<br><b>To:</b> Casey Jones<br><b>Subject:</b> [#1] Printer on fire</div><p>Please restart the printer.</p></body></html>';
  const outlook = ['From: Casey Jones <casey@customer.test>', `To: ${TOKEN_ADDRESS}`, 'Subject: RE: [#1] Printer on fire', 'Message-ID: <outlook-html-1@customer.test>',
    'MIME-Version: 1.0', 'Content-Type: text/html; charset=utf-8', '', html, ''].join('\r\n');
  await sendRaw(desk.port, outlook, { from: 'casey@customer.test', to: [TOKEN_ADDRESS] });
  const plain = ['From: Casey Jones <casey@customer.test>', `To: ${TOKEN_ADDRESS}`, 'Subject: Re: [#1] Printer on fire', 'Message-ID: <plain-1@customer.test>',
    'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', 'Also: the tray is empty.  ', '', '', '', 'Casey', ''].join('\r\n');
  await sendRaw(desk.port, plain, { from: 'casey@customer.test', to: [TOKEN_ADDRESS] });
  const [outlookMessage, plainMessage] = (await messagesOf(desk.db, desk.ticketId)).slice(-2);
  t.equal(outlookMessage!.body_text, 'The display now says READY.');
  t.equal(plainMessage!.body_text, 'Also: the tray is empty.\n\nCasey');
  t.equal(plainMessage!.quoted_text, null, 'nothing cut (only blank lines and spaces tidied), nothing kept twice');

  const blocks = quotedBlocks(await desk.browser.page(`/agent/tickets/${desk.ticketId}`));
  t.equal(blocks.length, 1);
  t.match(blocks[0]!.text, /The display now says READY\.[\s\S]*From: Help Desk <support@desk\.test>[\s\S]*Please restart the printer\./);
});

t.test('a sign-off cut from a reply goes into the folded whole text; the customer sees the reply without it', async (t) => {
  const desk = await setup(t);
  const mail = ['From: Casey Jones <casey@customer.test>', `To: ${TOKEN_ADDRESS}`, 'Subject: Re: [#1] Printer on fire', 'Message-ID: <sign-off-1@customer.test>',
    'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', 'The new fuser is in, it prints again.', '', 'Kind regards,', 'Casey Jones', 'ACME Ltd.', ''].join('\r\n');
  await sendRaw(desk.port, mail, { from: 'casey@customer.test', to: [TOKEN_ADDRESS] });
  const reply = (await messagesOf(desk.db, desk.ticketId)).at(-1)!;
  t.equal(reply.body_text, 'The new fuser is in, it prints again.');
  t.equal(reply.quoted_text, 'The new fuser is in, it prints again.\n\nKind regards,\nCasey Jones\nACME Ltd.', 'the whole text, sign-off and all');

  const blocks = quotedBlocks(await desk.browser.page(`/agent/tickets/${desk.ticketId}`));
  t.equal(blocks.length, 1, 'agents can expand it');
  t.match(blocks[0]!.text, 'Kind regards,\nCasey Jones\nACME Ltd.');
  const portal = await desk.customer.get(`/portal/tickets/${desk.ticketId}`);
  t.equal(portal.statusCode, 200);
  t.match(portal.body, 'The new fuser is in, it prints again.');
  t.notMatch(portal.body, 'Kind regards');
});
