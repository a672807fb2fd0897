import t from 'tap';
import { BYTES, postMultipart } from '../attachments/helpers.js';
import { nowIso } from '../../src/lib/time.js';
import { notifyDesk } from './helpers.js';

t.test('a reply\'s files travel in the mail, byte for byte', async (t) => {
  const { app, staff, id, delivered, to } = await notifyDesk(t);
  const res = await postMultipart(app, staff, `/agent/tickets/${id}/messages`, [
    { name: '_csrf', value: staff.csrf }, { name: 'kind', value: 'reply' }, { name: 'body', value: 'Here is the invoice' },
    { name: 'files', filename: 'invoice.pdf', content: BYTES.pdf, type: 'application/pdf' },
    { name: 'files', filename: 'screen.png', content: BYTES.png, type: 'image/png' },
  ]);
  t.equal(res.statusCode, 303);
  const [mail] = to(await delivered(), 'cora@example.test');
  const files = mail!.parsed.attachments;
  t.same(files.map((f) => [f.filename, f.contentType]), [['invoice.pdf', 'application/pdf'], ['screen.png', 'image/png']]);
  t.ok(files[0]!.content.equals(BYTES.pdf), 'the PDF arrives intact');
  t.ok(files[1]!.content.equals(BYTES.png), 'the PNG arrives intact');
  t.match(mail!.parsed.text, /Attached files:\s+- invoice\.pdf\s+- screen\.png/);
});

t.test('files too big for a mailbox together are linked instead of attached', async (t) => {
  const { staff, db, id, delivered, to, config } = await notifyDesk(t);
  await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'The recording is on the ticket' });
  const message = await db.selectFrom('messages').select('id').where('ticket_id', '=', id).executeTakeFirstOrThrow();
  // A stored 11 MB file: the mail must not try to carry it (the worker has already sent nothing yet).
  const [file] = await db.insertInto('attachments').values({
    message_id: message.id, uploader_id: null, filename: 'recording.zip', content_type: 'application/zip',
    size: 11 * 1024 * 1024, sha256: '0'.repeat(64), storage_key: 'a'.repeat(32), created_at: nowIso(),
  }).returning('id').execute();
  const [mail] = to(await delivered(), 'cora@example.test');
  t.same(mail!.parsed.attachments, [], 'nothing attached');
  t.match(mail!.parsed.text, 'The files are too large to send by mail; download them here:');
  t.match(mail!.parsed.text, `${config.baseUrl}/attachments/${file!.id}/recording.zip`);
  t.match(String(mail!.parsed.html), `href="${config.baseUrl}/attachments/${file!.id}/recording.zip"`);
});
