import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { scheduleUploadCleanup, UPLOAD_CLEANUP_JOB } from '../../src/attachments/cleanup.js';
import { storagePath } from '../../src/attachments/store.js';
import { attachUploads } from '../../src/attachments/uploads.js';
import { isoIn } from '../../src/lib/time.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeMessage, makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';
import { actorOf, BYTES, upload } from './helpers.js';

t.test('the hourly job removes day-old pending uploads and their files, keeps bound and fresh ones, and books its next run', async (t) => {
  const { app, db, config } = await buildTestDesk(t);
  const user = await makeUser(db, 'agent');
  const [ticketId] = await makeTickets(db, 1, { requesterId: user.id });
  const client = new Client(app);
  await client.login(user.email, PASSWORD);

  const [abandoned, bound] = (await upload(app, client, [{ filename: 'old.png', content: BYTES.png }, { filename: 'sent.png', content: BYTES.png }])).json.uploads;
  const message = await makeMessage(db, ticketId!, { authorId: user.id, kind: 'reply' });
  await db.transaction().execute(async (trx) => attachUploads(trx, await actorOf(trx, user.id), message, [bound!.id]));
  await db.updateTable('attachments').set({ created_at: isoIn(-25 * 3600_000) }).execute();
  const [fresh] = (await upload(app, client, [{ filename: 'new.png', content: BYTES.png }])).json.uploads;
  const keys = new Map((await db.selectFrom('attachments').select(['id', 'storage_key']).execute()).map((r) => [r.id, r.storage_key]));
  // A temporary file left by a crash mid-write, two days old.
  mkdirSync(join(config.uploadsDir, 'tmp'), { recursive: true });
  const stale = join(config.uploadsDir, 'tmp', 'crashed.part');
  writeFileSync(stale, 'half');
  utimesSync(stale, new Date(Date.now() - 48 * 3600_000), new Date(Date.now() - 48 * 3600_000));

  await scheduleUploadCleanup(db);
  await scheduleUploadCleanup(db);
  t.equal((await db.selectFrom('jobs').select('id').where('kind', '=', UPLOAD_CLEANUP_JOB).execute()).length, 1, 'booked once');
  t.equal(await app.worker.drain(), 1);

  t.same((await db.selectFrom('attachments').select('id').orderBy('id').execute()).map((r) => r.id), [bound!.id, fresh!.id]);
  t.notOk(existsSync(storagePath(config.uploadsDir, keys.get(abandoned!.id)!)), 'the abandoned file is gone');
  t.ok(existsSync(storagePath(config.uploadsDir, keys.get(bound!.id)!)), 'the bound file stays, however old');
  t.ok(existsSync(storagePath(config.uploadsDir, keys.get(fresh!.id)!)), 'the fresh upload stays');
  t.notOk(existsSync(stale), 'the stale temporary file is gone');

  const next = await db.selectFrom('jobs').selectAll().where('kind', '=', UPLOAD_CLEANUP_JOB).where('state', '=', 'queued').executeTakeFirstOrThrow();
  t.ok(Date.parse(next.run_at) > Date.now() + 50 * 60_000, 'the next run is about an hour away');
});

t.test('files no row names (a crash between storing a file and inserting its row) are removed once a day old', async (t) => {
  const { app, db, config } = await buildTestDesk(t);
  const user = await makeUser(db, 'agent');
  const client = new Client(app);
  await client.login(user.email, PASSWORD);
  const [kept] = (await upload(app, client, [{ filename: 'kept.png', content: BYTES.png }])).json.uploads;
  const keptKey = (await db.selectFrom('attachments').select('storage_key').where('id', '=', kept!.id).executeTakeFirstOrThrow()).storage_key;
  const old = new Date(Date.now() - 48 * 3600_000);
  utimesSync(storagePath(config.uploadsDir, keptKey), old, old);
  const orphan = (key: string, age: Date) => {
    const path = storagePath(config.uploadsDir, key);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, BYTES.png);
    utimesSync(path, age, age);
    return path;
  };
  const crashed = orphan('ab'.repeat(16), old);
  const young = orphan('cd'.repeat(16), new Date());

  await scheduleUploadCleanup(db);
  t.equal(await app.worker.drain(), 1);
  t.notOk(existsSync(crashed), 'the day-old file nobody names is gone');
  t.ok(existsSync(young), 'a fresh one stays: its row may be about to be committed');
  t.ok(existsSync(storagePath(config.uploadsDir, keptKey)), 'a file with a row stays, however old');
});
