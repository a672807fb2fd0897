import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import t, { type Test } from 'tap';
import { storagePath } from '../../src/attachments/store.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import { BYTES, cookieHeader, filesUnder, multipart, postMultipart, upload } from './helpers.js';

async function setup(t: Test, role: 'agent' | 'customer' = 'agent') {
  const desk = await buildTestDesk(t);
  const user = await makeUser(desk.db, role);
  const client = new Client(desk.app);
  await client.login(user.email, PASSWORD);
  t.ok(client.csrf, 'the client has a CSRF token');
  return { ...desk, user, client };
}

const rows = (desk: { db: Awaited<ReturnType<typeof buildTestDesk>>['db'] }) =>
  desk.db.selectFrom('attachments').selectAll().orderBy('id').execute();

t.test('PNG, JPG, PDF and ZIP are recognised by their bytes and stored as pending uploads', async (t) => {
  const desk = await setup(t, 'customer');
  const { res, json } = await upload(desk.app, desk.client, [
    { filename: 'screen.png', content: BYTES.png, type: 'image/png' },
    // The browser's type and the extension are both wrong: the bytes decide.
    { filename: 'photo.bin', content: BYTES.jpg, type: 'text/html' },
    { filename: 'invoice.pdf', content: BYTES.pdf, type: 'application/pdf' },
    { filename: 'logs.zip', content: BYTES.zip, type: 'application/zip' },
  ]);
  t.equal(res.statusCode, 201);
  t.same(json.rejected, []);
  t.same(json.uploads.map((u) => [u.filename, u.contentType, u.size]), [
    ['screen.png', 'image/png', BYTES.png.length], ['photo.bin', 'image/jpeg', BYTES.jpg.length],
    ['invoice.pdf', 'application/pdf', BYTES.pdf.length], ['logs.zip', 'application/zip', BYTES.zip.length],
  ]);
  const stored = await rows(desk);
  t.equal(stored.length, 4);
  for (const [i, row] of stored.entries()) {
    const content = [BYTES.png, BYTES.jpg, BYTES.pdf, BYTES.zip][i]!;
    t.equal(row.message_id, null, 'pending until a message binds it');
    t.equal(row.uploader_id, desk.user.id);
    t.match(row.storage_key, /^[0-9a-f]{32}$/);
    t.equal(row.sha256, createHash('sha256').update(content).digest('hex'));
    t.same(readFileSync(storagePath(desk.config.uploadsDir, row.storage_key)), content, 'the bytes on disk are the upload');
  }
  t.equal(filesUnder(desk.config.uploadsDir).length, 4, 'no temporary files left');
});

t.test('HTML or SVG named .png is rejected by name, saying what the content really is, and nothing of it is kept', async (t) => {
  const desk = await setup(t);
  const { res, json } = await upload(desk.app, desk.client, [
    { filename: 'cat.png', content: BYTES.html, type: 'image/png' },
    { filename: 'logo.png', content: BYTES.svg, type: 'image/png' },
    { filename: 'notes.txt', content: BYTES.txt, type: 'text/plain' },
    { filename: 'ok.png', content: BYTES.png, type: 'image/png' },
  ]);
  t.equal(res.statusCode, 201, 'the good file is kept');
  t.same(json.uploads.map((u) => u.filename), ['ok.png']);
  t.same(json.rejected.map((r) => r.message), [
    'cat.png: its name says PNG, but the content is HTML. Only real JPG, PNG, PDF and ZIP files are accepted.',
    'logo.png: its name says PNG, but the content is SVG. Only real JPG, PNG, PDF and ZIP files are accepted.',
    'notes.txt: only JPG, PNG, PDF and ZIP files are accepted.',
  ]);
  t.equal(json.rejected[0]!.reason, 'attachments.errors.mismatch');
  t.equal(json.rejected[2]!.reason, 'attachments.errors.type', 'a type not accepted at all: the plain message');
  t.equal(filesUnder(desk.config.uploadsDir).length, 1);

  const onlyBad = await upload(desk.app, desk.client, [{ filename: 'x.png', content: BYTES.svg }]);
  t.equal(onlyBad.res.statusCode, 422, 'nothing kept: 422');
  const damaged = await upload(desk.app, desk.client, [{ filename: 'scan.PDF', content: Buffer.from([0, 1, 2, 3, 250, 251, 252, 253]) }]);
  t.same(damaged.json.rejected.map((r) => r.message),
    ['scan.PDF: its name says PDF, but the content is not a PDF file (the file may be damaged, or renamed). Only real JPG, PNG, PDF and ZIP files are accepted.'],
    'content of no known kind under an accepted name');
});

t.test('the allowed types come from the settings; markup never passes, even when text is allowed', async (t) => {
  const desk = await setup(t);
  await desk.db.insertInto('settings').values({ key: 'attachments.allowed_types', value: 'txt, PDF, svg, html' }).execute();
  const { json } = await upload(desk.app, desk.client, [
    { filename: 'notes.txt', content: BYTES.txt },
    { filename: 'scan.pdf', content: BYTES.pdf },
    { filename: 'a.png', content: BYTES.png },
    { filename: 'b.svg', content: BYTES.svg },
    { filename: 'c.txt', content: BYTES.html },
  ]);
  t.same(json.uploads.map((u) => [u.filename, u.contentType]), [['notes.txt', 'text/plain; charset=utf-8'], ['scan.pdf', 'application/pdf']]);
  t.same(json.rejected.map((r) => r.message), ['a.png: only TXT and PDF files are accepted.',
    'b.svg: only TXT and PDF files are accepted.', 'c.txt: its name says TXT, but the content is HTML. Only real TXT and PDF files are accepted.']);
});

t.test('the per-message total comes from the settings; a file over what is left is rejected by name and not kept', async (t) => {
  const desk = await setup(t);
  await desk.db.insertInto('settings').values({ key: 'attachments.max_total_bytes', value: '3000' }).execute();
  const big = Buffer.concat([BYTES.png, Buffer.alloc(1800)]);
  const { res, json } = await upload(desk.app, desk.client, [
    { filename: 'first.png', content: big },
    { filename: 'second.png', content: big },
    { filename: 'small.pdf', content: BYTES.pdf },
    { filename: 'huge.zip', content: Buffer.concat([BYTES.zip, Buffer.alloc(5000)]) },
    { filename: 'empty.png', content: Buffer.alloc(0) },
  ]);
  t.equal(res.statusCode, 201);
  t.same(json.uploads.map((u) => u.filename), ['first.png', 'small.pdf']);
  t.same(json.rejected.map((r) => r.message), [
    'second.png: the files of one message may not exceed 2.9 KB together.',
    'huge.zip: the files of one message may not exceed 2.9 KB together.',
    'empty.png: the file is empty.',
  ]);
  t.equal(filesUnder(desk.config.uploadsDir).length, 2, 'only the kept files are on disk');
  t.equal((await rows(desk)).length, 2);
});

t.test('the user\'s filename never reaches the path, and is cleaned before it is stored', async (t) => {
  const desk = await setup(t);
  const { json } = await upload(desk.app, desk.client, [
    { filename: '../../etc/passwd.png', content: BYTES.png },
    { filename: '..\\..\\windows\\win.ini.png', content: BYTES.png },
    { filename: 'a\u0000b.png', content: BYTES.png },
    { filename: '\u202egnp.exe', content: BYTES.png },
  ]);
  t.equal(json.uploads.length, 4);
  for (const u of json.uploads) {
    t.notMatch(u.filename, /[/\\\u0000\r\n\u202e]/, `clean: ${JSON.stringify(u.filename)}`);
    t.notMatch(u.filename, /^\.\./);
  }
  t.equal(json.uploads[0]!.filename, 'passwd.png');
  const paths = filesUnder(desk.config.uploadsDir);
  t.equal(paths.length, 4);
  for (const path of paths) {
    t.ok(path.startsWith(desk.config.uploadsDir + '/'), 'inside the uploads directory');
    t.match(path.slice(desk.config.uploadsDir.length), /^\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{32}$/, 'a generated name only');
  }

  // RFC 5987 names are decoded: a quote and non-ASCII letters stay (they are only ever escaped on output),
  // while an encoded CR/LF makes the parser drop the part entirely.
  const encoded = await postMultipart(desk.app, desk.client, '/attachments', [
    { name: '_csrf', value: desk.client.csrf },
    { name: 'files', content: BYTES.png, type: 'image/png', rawDisposition: 'form-data; name="files"; filename*=UTF-8\'\'caf%C3%A9%20%22menu%22.png' },
    { name: 'files', content: BYTES.png, type: 'image/png',
      rawDisposition: 'form-data; name="files"; filename*=UTF-8\'\'evil%0D%0ASet-Cookie%3A%20a%3Db.png' },
  ]);
  t.equal(encoded.statusCode, 201);
  const stored = await rows(desk);
  t.same(stored.slice(4).map((r) => r.filename), ['café "menu".png'], 'the CR/LF name was never stored');
});

t.test('CSRF: a multipart form needs the token as its first part or in the header, checked before any file is written', async (t) => {
  const desk = await setup(t);
  const file = { name: 'files', filename: 'a.png', content: BYTES.png };
  const nothingStored = async (label: string) => {
    t.equal((await rows(desk)).length, 0, `${label}: no row`);
    t.same(filesUnder(desk.config.uploadsDir), [], `${label}: no file`);
  };

  const none = await postMultipart(desk.app, desk.client, '/attachments', [file]);
  t.equal(none.statusCode, 403, 'no token');
  t.match(none.body, 'The form expired');
  await nothingStored('no token');

  const wrong = await postMultipart(desk.app, desk.client, '/attachments', [{ name: '_csrf', value: 'x'.repeat(43) }, file]);
  t.equal(wrong.statusCode, 403, 'a wrong token');
  await nothingStored('wrong token');

  const late = await postMultipart(desk.app, desk.client, '/attachments', [file, { name: '_csrf', value: desk.client.csrf }]);
  t.equal(late.statusCode, 403, 'the token after the file comes too late');
  await nothingStored('late token');

  const first = await postMultipart(desk.app, desk.client, '/attachments', [{ name: '_csrf', value: desk.client.csrf }, file]);
  t.equal(first.statusCode, 201, 'the token as the first part');
  const header = await postMultipart(desk.app, desk.client, '/attachments', [file], { 'x-csrf-token': desk.client.csrf });
  t.equal(header.statusCode, 201, 'the token in the header (htmx)');
  t.equal((await rows(desk)).length, 2);

  // A route that did not opt in still refuses a multipart POST whose token is only in the body.
  const other = await postMultipart(desk.app, desk.client, '/agent/tickets', [{ name: '_csrf', value: desk.client.csrf }, { name: 'subject', value: 'x' }]);
  t.equal(other.statusCode, 403);
});

t.test('visitors cannot upload', async (t) => {
  const { app, config } = await buildTestDesk(t);
  const visitor = new Client(app);
  await visitor.get('/login');
  const res = await postMultipart(app, visitor, '/attachments', [{ name: '_csrf', value: visitor.csrf }, { name: 'files', filename: 'a.png', content: BYTES.png }]);
  t.equal(res.statusCode, 403);
  t.same(filesUnder(config.uploadsDir), []);
});

t.test('parser limits answer 413 and leave nothing behind', async (t) => {
  const desk = await setup(t);
  const eleven = Array.from({ length: 11 }, (_, i) => ({ filename: `f${i}.png`, content: BYTES.png }));
  const { res } = await upload(desk.app, desk.client, eleven);
  t.equal(res.statusCode, 413);
  t.match(res.body, 'Too many files: at most 10 can be sent at once.');
  t.equal((await rows(desk)).length, 0);
  t.same(filesUnder(desk.config.uploadsDir), [], 'the ten files read before the limit are gone too');
});

t.test('a cut-off multipart body is a 400 and leaves no file', async (t) => {
  const desk = await setup(t);
  const { body, contentType } = multipart([
    { name: '_csrf', value: desk.client.csrf },
    { name: 'files', filename: 'a.png', content: Buffer.concat([BYTES.png, Buffer.alloc(200_000)]) },
  ]);
  const res = await desk.app.inject({ method: 'POST', url: '/attachments', payload: body.subarray(0, 150_000),
    headers: { 'content-type': contentType, cookie: cookieHeader(desk.client) } });
  t.equal(res.statusCode, 400);
  t.equal((await rows(desk)).length, 0);
  t.same(filesUnder(desk.config.uploadsDir), []);
});
