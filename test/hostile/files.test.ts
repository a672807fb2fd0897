import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import t, { type Test } from 'tap';
import { receiveMessage } from '../../src/mailin/receive.js';
import { BYTES, filesUnder, upload } from '../attachments/helpers.js';
import { buildTestDesk } from '../helpers/app.js';
import { ROOT } from '../helpers/cli.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import { deskWithTicket, depsOf } from '../mailin/helpers.js';

/** A one-entry zip whose 10 KB of deflated zeros claim to expand to 50 MB. */
function zipBomb(): Buffer {
  const size = 50 * 1024 * 1024;
  const data = deflateRawSync(Buffer.alloc(size), { level: 9 });
  const name = Buffer.from('zeros.bin');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(8, 8);
  local.writeUInt32LE(data.length, 18); local.writeUInt32LE(size, 22); local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt16LE(8, 10);
  central.writeUInt32LE(data.length, 20); central.writeUInt32LE(size, 24); central.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(1, 8); end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + name.length, 12); end.writeUInt32LE(30 + name.length + data.length, 16);
  return Buffer.concat([local, name, data, central, name, end]);
}

const POLYGLOT = Buffer.concat([BYTES.png, Buffer.from('<html><script>alert(document.cookie)</script><svg onload=alert(1)>')]);

function assertDownload(t: Test, res: { statusCode: number; headers: Record<string, unknown> }, label: string) {
  t.equal(res.statusCode, 200, `${label}: 200`);
  const type = String(res.headers['content-type']);
  t.notMatch(type, /text\/html|image\/svg|xml|javascript/i, `${label}: never served as markup (${type})`);
  t.equal(res.headers['x-content-type-options'], 'nosniff', `${label}: nosniff`);
  t.match(String(res.headers['content-security-policy']), "default-src 'self'");
}

t.test('HTML and SVG uploads are refused; a polyglot and a zip bomb are stored as opaque downloads, never expanded', async (t) => {
  const { app, db, config } = await buildTestDesk(t);
  const user = await makeUser(db, 'customer');
  const client = new Client(app);
  await client.login(user.email, PASSWORD);
  const bomb = zipBomb();
  t.ok(bomb.length < 100_000, `the bomb is small (${bomb.length} bytes)`);
  const { res, json } = await upload(app, client, [
    { filename: 'page.html', content: BYTES.html, type: 'text/html' },
    { filename: 'logo.svg', content: BYTES.svg, type: 'image/svg+xml' },
    { filename: 'page.png', content: BYTES.html, type: 'image/png' },
    { filename: 'photo.png', content: POLYGLOT, type: 'image/png' },
    { filename: 'bomb.zip', content: bomb, type: 'application/zip' },
  ]);
  t.equal(res.statusCode, 201);
  t.same(json.rejected.map((r: { filename: string }) => r.filename).sort(), ['logo.svg', 'page.html', 'page.png'], 'markup is refused whatever its name');
  t.same(json.uploads.map((u) => [u.filename, u.contentType, u.size]), [['photo.png', 'image/png', POLYGLOT.length], ['bomb.zip', 'application/zip', bomb.length]]);
  const paths = filesUnder(config.uploadsDir);
  t.equal(paths.length, 2, 'two files on disk, nothing unpacked beside them');
  t.same(paths.map((p) => readFileSync(p).length).sort((a, b) => a - b), [POLYGLOT.length, bomb.length].sort((a, b) => a - b), 'stored byte for byte');

  for (const u of json.uploads) {
    const download = await client.get(`/attachments/${u.id}/${encodeURIComponent(u.filename)}`);
    assertDownload(t, download, u.filename);
    t.match(String(download.headers['content-disposition']), /^attachment;/, `${u.filename}: a download`);
    t.equal(download.rawPayload.length, u.size);
  }
  const inline = await client.get(`/attachments/${json.uploads[0]!.id}/photo.png?inline=1`);
  t.equal(inline.headers['content-type'], 'image/png', 'the polyglot is only ever an image to the browser');
  const zipInline = await client.get(`/attachments/${json.uploads[1]!.id}/bomb.zip?inline=1`);
  t.match(String(zipInline.headers['content-disposition']), /^attachment;/, 'a zip is never inline');
});

t.test('no code in src unpacks archives', async (t) => {
  const sources: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name.endsWith('.ts')) sources.push(join(dir, entry.name));
    }
  };
  walk(join(ROOT, 'src'));
  for (const file of sources) {
    t.notMatch(readFileSync(file, 'utf8'), /from ['"](node:)?zlib['"]|yauzl|adm-zip|jszip|unzipper|decompress|tar-stream/, file.slice(ROOT.length));
  }
});

t.test('mail attachments: HTML, SVG, traversal and NUL names are stored as safe downloads', async (t) => {
  const desk = await deskWithTicket(t);
  const b64 = (b: Buffer) => b.toString('base64');
  const part = (type: string, name: string, content: Buffer) => [
    '--b1', `Content-Type: ${type}; name="${name}"`, 'Content-Transfer-Encoding: base64', `Content-Disposition: attachment; filename="${name}"`, '', b64(content),
  ].join('\r\n');
  const raw = Buffer.from([
    'From: Mallory <mallory@customer.test>', 'To: support@desk.test', 'Subject: Files', 'Message-ID: <files-1@x>',
    'Date: Tue, 03 Mar 2026 10:00:00 +0000', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b1"', '',
    '--b1', 'Content-Type: text/plain; charset=utf-8', '', 'See attached.',
    part('text/html', 'invoice.html', BYTES.html),
    part('image/svg+xml', 'logo.svg', BYTES.svg),
    part('image/png', '../../../etc/passwd.png', BYTES.png),
    part('image/png', 'a\u0000b.png', POLYGLOT),
    part('application/zip', 'bomb.zip', zipBomb()),
    '--b1--', '',
  ].join('\r\n'));
  const outcome = await receiveMessage(depsOf(desk), raw);
  t.equal(outcome.status, 'stored');
  const ticketId = outcome.status === 'stored' ? outcome.ticketId : -1;
  const files = await desk.db.selectFrom('attachments').innerJoin('messages', 'messages.id', 'attachments.message_id')
    .select(['attachments.id', 'attachments.filename', 'attachments.content_type']).where('messages.ticket_id', '=', ticketId).execute();
  t.ok(files.length >= 3, `files stored: ${files.map((f) => f.filename).join(', ')}`);
  for (const f of files) {
    t.notMatch(f.filename, /[/\\\u0000]|^\.\./, `a clean name: ${JSON.stringify(f.filename)}`);
    t.notMatch(f.content_type, /text\/html|svg/, `${f.filename}: not stored as markup (${f.content_type})`);
  }
  for (const path of filesUnder(desk.config.uploadsDir)) t.match(path.slice(desk.config.uploadsDir.length), /^\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{32}$/);

  const agentUser = await makeUser(desk.db, 'agent');
  const agent = new Client(desk.app);
  await agent.login(agentUser.email, PASSWORD);
  for (const f of files) {
    const res = await agent.get(`/attachments/${f.id}/${encodeURIComponent(f.filename)}?inline=1`);
    assertDownload(t, res, f.filename);
  }
});
