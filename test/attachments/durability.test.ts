// Uploads survive a power cut as well as their rows do: the store flushes the file's bytes and the
// directory entries to the disk (fsync) before it returns, and so before the row naming the file is
// committed. A test cannot pull the plug; it watches the store's flush calls instead (the real
// calls run: nothing is replaced), and checks what was on disk and in the database at each one.
// What this proves: the store asks the kernel to flush the right file and directories, in the right
// order relative to the rename and the commit. Not proved: that the disk honours the flush.
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import t, { type Test } from 'tap';
import { disk, storagePath, storeStream } from '../../src/attachments/store.js';
import { buildTestDesk, tempDir } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import { BYTES, filesUnder, upload } from './helpers.js';

interface Flush { what: 'file' | 'dir'; path: string; at: Record<string, unknown> }

/** Record every flush with what `look` sees at that moment, then let the real flush run. */
function watchFlushes(t: Test, look: (what: Flush['what'], path: string) => Promise<Record<string, unknown>>): Flush[] {
  const seen: Flush[] = [];
  const { syncFile, syncDir } = disk;
  disk.syncFile = async (path) => { seen.push({ what: 'file', path, at: await look('file', path) }); return syncFile(path); };
  disk.syncDir = async (path) => { seen.push({ what: 'dir', path, at: await look('dir', path) }); return syncDir(path); };
  t.teardown(() => { disk.syncFile = syncFile; disk.syncDir = syncDir; });
  return seen;
}

async function* chunks(...parts: Buffer[]) {
  for (const part of parts) yield part;
}

t.test('the store flushes the whole file before renaming it into place, then the directories that name it', async (t) => {
  const uploads = join(tempDir(t), 'uploads');
  const stored = () => filesUnder(uploads).filter((path) => !path.endsWith('.part'));
  const seen = watchFlushes(t, async (what, path) => what === 'file' ? { size: statSync(path).size, stored: stored() } : { stored: stored() });
  const body = Buffer.concat([BYTES.png, Buffer.alloc(200_000, 7)]);
  const first = await storeStream(uploads, chunks(body.subarray(0, 70_000), body.subarray(70_000)), { maxBytes: 1_000_000, headBytes: 16, accept: () => 'png' });
  t.ok(first.ok);
  if (!first.ok) return;
  const finalPath = storagePath(uploads, first.file.storageKey);
  const shard = dirname(finalPath);

  t.equal(seen[0]?.what, 'file', 'the file first');
  t.match(seen[0]?.path, /\.part$/, 'under its temporary name');
  t.equal(seen[0]?.at.size, body.length, 'with every byte written');
  t.same(seen[0]?.at.stored, [], 'before it was renamed into place');
  t.same(seen.slice(1).map((f) => f.path), [shard, dirname(shard), uploads],
    'then its directory, and the parents of the two shard directories made for it (the uploads directory was new too)');
  t.ok(seen.slice(1).every((f) => f.what === 'dir' && (f.at.stored as string[]).includes(finalPath)), 'each directory after the rename');
  t.equal(statSync(finalPath).size, body.length);

  // A second file in the same shard: only its directory is new to the disk.
  seen.length = 0;
  const again = await storeStream(uploads, chunks(BYTES.pdf), { maxBytes: 1_000_000, headBytes: 4, accept: () => 'pdf' });
  t.ok(again.ok);
  if (!again.ok) return;
  const againShard = dirname(storagePath(uploads, again.file.storageKey));
  t.equal(seen.filter((f) => f.what === 'file').length, 1);
  t.same(seen.filter((f) => f.what === 'dir').map((f) => f.path)[0], againShard, 'its own directory is flushed');
  t.notOk(seen.some((f) => f.what === 'dir' && f.path === dirname(uploads)), 'never above the uploads directory');

  // A refused file is never flushed: it is not kept.
  seen.length = 0;
  const refused = await storeStream(uploads, chunks(BYTES.html), { maxBytes: 1_000_000, headBytes: 4, accept: () => null });
  t.notOk(refused.ok);
  t.same(seen, []);
});

t.test('an upload through the web is flushed before its row is committed', async (t) => {
  const desk = await buildTestDesk(t);
  const user = await makeUser(desk.db, 'customer');
  const client = new Client(desk.app);
  await client.login(user.email, PASSWORD);
  await client.get('/portal/tickets/new');
  const rows = async () => Number((await desk.db.selectFrom('attachments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const seen = watchFlushes(t, async () => ({ rows: await rows() }));

  const { res, json } = await upload(desk.app, client, [{ filename: 'screen.png', content: BYTES.png, type: 'image/png' }]);
  t.equal(res.statusCode, 201);
  t.equal(json.uploads.length, 1);
  t.equal(await rows(), 1, 'the row is there once the upload is answered');
  t.ok(seen.some((f) => f.what === 'file'), 'the file was flushed');
  t.ok(seen.some((f) => f.what === 'dir'), 'and its directory');
  t.ok(seen.every((f) => f.at.rows === 0), 'each flush happened while the row was not yet committed');
});
