// Issue 25.4: what mail brings beyond the forms' file types — a forwarded mail (message/rfc822 or a
// .eml file), text files, logs, an S/MIME signature — is kept by a mail-specific allow-list (a
// setting), so a forwarded message is never lost; the signature is kept but not listed as a file.
import t from 'tap';
import { startSmtpReceiver } from '../../src/mailin/smtp.js';
import { settingDef } from '../../src/settings/registry.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import { deskWithTicket, depsOf, sendRaw, STATUS } from './helpers.js';

const quiet = { info() {}, warn() {}, error() {} };
const SIGNATURE = Buffer.concat([Buffer.from([0x30, 0x82, 0x02, 0x10, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x82]), Buffer.alloc(64, 7)]);

function mailWithFiles(id: string): string {
  const b = 'outer-boundary';
  return [
    'From: Casey Jones <casey@customer.test>', 'To: support@desk.test', 'Subject: Forwarding the supplier mail',
    'Date: Wed, 4 Mar 2026 10:00:00 +0100', `Message-ID: <${id}@customer.test>`, 'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${b}"`, '',
    `--${b}`, 'Content-Type: text/plain; charset=utf-8', '', 'See the forwarded mail, the export and the log.', '',
    `--${b}`, 'Content-Type: message/rfc822', 'Content-Disposition: attachment', '',
    'From: Supplier <orders@supplier.test>', 'To: casey@customer.test', 'Subject: Order 77 shipped', 'Message-ID: <order-77@supplier.test>', '',
    'Your order 77 has shipped.', '',
    `--${b}`, 'Content-Type: text/csv; name="export.csv"', 'Content-Disposition: attachment; filename="export.csv"', '',
    'id,amount', '77,120.00', '',
    `--${b}`, 'Content-Type: text/plain; name="printer.log"', 'Content-Disposition: attachment; filename="printer.log"', '',
    '10:00 jam in tray 2', '',
    `--${b}`, 'Content-Type: application/pkcs7-signature; name="smime.p7s"', 'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="smime.p7s"', '', SIGNATURE.toString('base64'), '',
    `--${b}--`, '',
  ].join('\r\n');
}

t.test('over SMTP: a forwarded mail, a CSV and a log are kept and listed; the signature is kept, not listed', async (t) => {
  const desk = await deskWithTicket(t, STATUS.open);
  const receiver = await startSmtpReceiver(depsOf(desk), '127.0.0.1:0', quiet);
  t.teardown(() => receiver.close());
  await sendRaw(receiver.port, mailWithFiles('files-1'), { from: 'casey@customer.test', to: ['support@desk.test'] });
  const ticket = await desk.db.selectFrom('tickets').select('id').where('subject', '=', 'Forwarding the supplier mail').executeTakeFirstOrThrow();
  const message = await desk.db.selectFrom('messages').select(['id', 'body_text']).where('ticket_id', '=', ticket.id).executeTakeFirstOrThrow();
  const files = await desk.db.selectFrom('attachments').select(['filename', 'content_type']).where('message_id', '=', message.id).orderBy('id').execute();
  t.same(files.filter((f) => !f.filename.startsWith('mail-')).map((f) => [f.filename, f.content_type]), [
    ['attachment-1.eml', 'message/rfc822'], ['export.csv', 'text/csv; charset=utf-8'], ['printer.log', 'text/plain; charset=utf-8'],
    ['smime.p7s', 'application/pkcs7-signature'],
  ], 'every part stored with the type its bytes and name show');
  t.notMatch(message.body_text, /not stored|nicht gespeichert/i, 'nothing refused');

  const agent = await makeUser(desk.db, 'agent');
  const browser = new Client(desk.app);
  await browser.login(agent.email, PASSWORD);
  const page = await browser.get(`/agent/tickets/${ticket.id}`);
  t.equal(page.statusCode, 200);
  for (const name of ['attachment-1.eml', 'export.csv', 'printer.log']) t.match(page.body, name, `${name} is listed`);
  t.notMatch(page.body, 'smime.p7s', 'the signature is not listed as a file');
  const eml = await desk.db.selectFrom('attachments').select('id').where('filename', '=', 'attachment-1.eml').executeTakeFirstOrThrow();
  const download = await browser.get(`/attachments/${eml.id}/attachment-1.eml`);
  t.equal(download.statusCode, 200);
  t.match(download.body, 'Your order 77 has shipped.', 'the forwarded mail downloads whole');
});

t.test('the mail allow-list is a setting: what it leaves out is refused by name, the rest kept', async (t) => {
  const desk = await deskWithTicket(t, STATUS.open);
  const admin = await makeUser(desk.db, 'admin');
  const browser = new Client(desk.app);
  await browser.login(admin.email, PASSWORD);
  const settings = await browser.get('/admin/settings');
  t.match(settings.body, 'File types accepted from mail');
  t.match(settings.body, 'name="attachments__mail_types"');
  const def = settingDef('attachments.mail_types')!;
  t.equal(def.check!('eml, exe'), 'admin.settings.errors.types', 'an unknown type is refused');
  t.equal(def.check!('.EML; txt, p7s'), null);
  await desk.db.insertInto('settings').values({ key: 'attachments.mail_types', value: 'eml, txt' }).execute();
  const receiver = await startSmtpReceiver(depsOf(desk), '127.0.0.1:0', quiet);
  t.teardown(() => receiver.close());
  await sendRaw(receiver.port, mailWithFiles('files-2'), { from: 'casey@customer.test', to: ['support@desk.test'] });
  const ticket = await desk.db.selectFrom('tickets').select('id').where('subject', '=', 'Forwarding the supplier mail').executeTakeFirstOrThrow();
  const message = await desk.db.selectFrom('messages').select(['id', 'body_text']).where('ticket_id', '=', ticket.id).executeTakeFirstOrThrow();
  const files = await desk.db.selectFrom('attachments').select('filename').where('message_id', '=', message.id).where('filename', 'not like', 'mail-%').orderBy('id').execute();
  t.same(files.map((f) => f.filename), ['attachment-1.eml'], 'only the forwarded mail is kept');
  t.match(message.body_text, 'export.csv', 'the refused files are named under the message');
  t.match(message.body_text, 'printer.log');
});

t.test('over SMTP: a forwarded mail sent as an .eml file and a .txt file are kept and listed', async (t) => {
  const desk = await deskWithTicket(t, STATUS.open);
  const receiver = await startSmtpReceiver(depsOf(desk), '127.0.0.1:0', quiet);
  t.teardown(() => receiver.close());
  const b = 'eml-file';
  const forwarded = ['From: Supplier <orders@supplier.test>', 'To: casey@customer.test', 'Subject: Order 78 delayed', 'Message-ID: <order-78@supplier.test>', '', 'Order 78 ships next week.', ''].join('\r\n');
  const raw = [
    'From: Casey Jones <casey@customer.test>', 'To: support@desk.test', 'Subject: The supplier mail as a file', 'Message-ID: <files-3@customer.test>',
    'MIME-Version: 1.0', `Content-Type: multipart/mixed; boundary="${b}"`, '',
    `--${b}`, 'Content-Type: text/plain; charset=utf-8', '', 'The supplier mail and my notes are attached.', '',
    `--${b}`, 'Content-Type: application/octet-stream; name="Order 78.eml"', 'Content-Transfer-Encoding: base64', 'Content-Disposition: attachment; filename="Order 78.eml"', '',
    Buffer.from(forwarded).toString('base64'), '',
    `--${b}`, 'Content-Type: text/plain; name="notes.txt"', 'Content-Disposition: attachment; filename="notes.txt"', '', 'Called the supplier at 10:00.', '',
    `--${b}--`, '',
  ].join('\r\n');
  await sendRaw(receiver.port, raw, { from: 'casey@customer.test', to: ['support@desk.test'] });
  const ticket = await desk.db.selectFrom('tickets').select('id').where('subject', '=', 'The supplier mail as a file').executeTakeFirstOrThrow();
  const message = await desk.db.selectFrom('messages').select('id').where('ticket_id', '=', ticket.id).executeTakeFirstOrThrow();
  const files = await desk.db.selectFrom('attachments').select(['id', 'filename', 'content_type']).where('message_id', '=', message.id).where('filename', 'not like', 'mail-%').orderBy('id').execute();
  t.same(files.map((f) => [f.filename, f.content_type.split(';')[0]]), [['Order 78.eml', 'message/rfc822'], ['notes.txt', 'text/plain']]);
  const agent = await makeUser(desk.db, 'agent');
  const browser = new Client(desk.app);
  await browser.login(agent.email, PASSWORD);
  const page = await browser.get(`/agent/tickets/${ticket.id}`);
  t.match(page.body, 'Order 78.eml');
  t.match(page.body, 'notes.txt');
  const download = await browser.get(`/attachments/${files[0]!.id}/${encodeURIComponent('Order 78.eml')}`);
  t.equal(download.statusCode, 200);
  t.match(download.body, 'Order 78 ships next week.', 'the forwarded mail is never lost');
});
