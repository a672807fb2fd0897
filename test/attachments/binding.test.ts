import { existsSync } from 'node:fs';
import t, { type Test } from 'tap';
import { listAttachmentsForMessages } from '../../src/attachments/queries.js';
import { storagePath } from '../../src/attachments/store.js';
import { attachUploads, discardUploads, storeFiles } from '../../src/attachments/uploads.js';
import { Invalid } from '../../src/lib/errors.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeMessage, makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';
import { actorOf, BYTES, upload } from './helpers.js';

async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const agentUser = await makeUser(desk.db, 'agent');
  const customerUser = await makeUser(desk.db, 'customer');
  const [ticketId] = await makeTickets(desk.db, 1, { requesterId: customerUser.id });
  const agent = new Client(desk.app);
  await agent.login(agentUser.email, PASSWORD);
  const customer = new Client(desk.app);
  await customer.login(customerUser.email, PASSWORD);
  return { ...desk, agent, customer, agentUser, customerUser, ticketId: ticketId! };
}

t.test('attachUploads binds the actor\'s own pending uploads, inside the verb\'s transaction', async (t) => {
  const { app, db, agent, customer, agentUser, ticketId } = await setup(t);
  const mine = (await upload(app, agent, [{ filename: 'a.png', content: BYTES.png }, { filename: 'b.pdf', content: BYTES.pdf }])).json.uploads;
  const theirs = (await upload(app, customer, [{ filename: 'c.png', content: BYTES.png }])).json.uploads;
  const actor = await actorOf(db, agentUser.id);
  const message = await makeMessage(db, ticketId, { authorId: agentUser.id, kind: 'reply' });

  const refused = await db.transaction().execute((trx) => attachUploads(trx, actor, message, [mine[0]!.id, theirs[0]!.id])).catch((e: unknown) => e);
  t.type(refused, Invalid, 'someone else\'s upload is as good as missing');
  t.equal((refused as Invalid).message, 'attachments.errors.gone');
  t.equal((await db.selectFrom('attachments').select('id').where('message_id', 'is not', null).execute()).length, 0, 'nothing bound');

  const bound = await db.transaction().execute((trx) => attachUploads(trx, actor, message, mine.map((u) => u.id)));
  t.same(bound, mine.map((u) => u.id));
  const rows = await db.selectFrom('attachments').select(['id', 'message_id']).orderBy('id').execute();
  t.same(rows.map((r) => r.message_id), [message, message, null]);

  const again = await db.transaction().execute((trx) => attachUploads(trx, actor, message, [mine[0]!.id])).catch((e: unknown) => e);
  t.type(again, Invalid, 'a bound upload cannot be bound again');

  // A rolled-back verb leaves the uploads pending.
  const other = await makeMessage(db, ticketId, { authorId: agentUser.id, kind: 'note' });
  const extra = (await upload(app, agent, [{ filename: 'd.png', content: BYTES.png }])).json.uploads;
  await db.transaction().execute(async (trx) => {
    await attachUploads(trx, actor, other, [extra[0]!.id]);
    throw new Error('the verb failed later');
  }).catch(() => undefined);
  t.equal((await db.selectFrom('attachments').select('message_id').where('id', '=', extra[0]!.id).executeTakeFirstOrThrow()).message_id, null);
});

t.test('attachUploads keeps a message within the total, counting uploads from several requests', async (t) => {
  const { app, db, agent, agentUser, ticketId } = await setup(t);
  await db.insertInto('settings').values({ key: 'attachments.max_total_bytes', value: String(BYTES.png.length * 2) }).execute();
  const first = (await upload(app, agent, [{ filename: 'a.png', content: BYTES.png }, { filename: 'b.png', content: BYTES.png }])).json.uploads;
  const second = (await upload(app, agent, [{ filename: 'c.png', content: BYTES.png }])).json.uploads;
  const actor = await actorOf(db, agentUser.id);
  const message = await makeMessage(db, ticketId, { authorId: agentUser.id, kind: 'reply' });
  const refused = await db.transaction().execute((trx) => attachUploads(trx, actor, message, [...first, ...second].map((u) => u.id))).catch((e: unknown) => e);
  t.type(refused, Invalid);
  t.equal((refused as Invalid).message, 'attachments.errors.total');
  await db.transaction().execute((trx) => attachUploads(trx, actor, message, first.map((u) => u.id)));
  const late = await db.transaction().execute((trx) => attachUploads(trx, actor, message, second.map((u) => u.id))).catch((e: unknown) => e);
  t.type(late, Invalid, 'what the message already has counts too');
});

t.test('discardUploads removes pending uploads and their files, never bound ones', async (t) => {
  const { app, db, config, agent, agentUser, ticketId } = await setup(t);
  const [kept, dropped] = (await upload(app, agent, [{ filename: 'a.png', content: BYTES.png }, { filename: 'b.png', content: BYTES.png }])).json.uploads;
  const message = await makeMessage(db, ticketId, { authorId: agentUser.id, kind: 'reply' });
  await db.transaction().execute(async (trx) => attachUploads(trx, await actorOf(trx, agentUser.id), message, [kept!.id]));
  const keys = await db.selectFrom('attachments').select(['id', 'storage_key']).orderBy('id').execute();

  await discardUploads(db, config.uploadsDir, [kept!, dropped!]);
  t.same((await db.selectFrom('attachments').select('id').execute()).map((r) => r.id), [kept!.id]);
  t.ok(existsSync(storagePath(config.uploadsDir, keys[0]!.storage_key)), 'the bound file stays');
  t.notOk(existsSync(storagePath(config.uploadsDir, keys[1]!.storage_key)), 'the pending one is gone');
});

t.test('storeFiles: the same intake for files that come from mail', async (t) => {
  const { app, db, config, customerUser } = await setup(t);
  const result = await storeFiles(db, config.uploadsDir, customerUser.id, [
    { filename: 'scan.pdf', content: BYTES.pdf },
    { filename: 'page.html', content: BYTES.html },
  ], app.catalogue.translator('en'));
  t.same(result.uploads.map((u) => [u.filename, u.contentType]), [['scan.pdf', 'application/pdf']]);
  t.same(result.rejected.map((r) => r.message), ['page.html: only JPG, PNG, PDF and ZIP files are accepted.']);
  const row = await db.selectFrom('attachments').selectAll().executeTakeFirstOrThrow();
  t.equal(row.uploader_id, customerUser.id);
  t.equal(row.message_id, null);
});

t.test('listAttachmentsForMessages groups many messages\' files in one query; the partial lists them as links', async (t) => {
  const { app, db, agent, agentUser, ticketId } = await setup(t);
  const actor = await actorOf(db, agentUser.id);
  const [m1, m2, m3] = [await makeMessage(db, ticketId, { authorId: agentUser.id, kind: 'reply' }), await makeMessage(db, ticketId, { authorId: agentUser.id, kind: 'update' }),
    await makeMessage(db, ticketId, { authorId: agentUser.id, kind: 'reply' })];
  const a = (await upload(app, agent, [{ filename: '<img src=x onerror=alert(1)>.png', content: BYTES.png }, { filename: 'big.pdf', content: Buffer.concat([BYTES.pdf, Buffer.alloc(3 * 1024 * 1024)]) }])).json.uploads;
  const b = (await upload(app, agent, [{ filename: 'c.zip', content: BYTES.zip }])).json.uploads;
  await db.transaction().execute(async (trx) => {
    await attachUploads(trx, actor, m1, a.map((u) => u.id));
    await attachUploads(trx, actor, m3, b.map((u) => u.id));
  });

  let queries = 0;
  const counting = db.withPlugin({ transformQuery: (args) => { queries++; return args.node; }, transformResult: async (args) => args.result });
  const grouped = await listAttachmentsForMessages(counting, [m1, m2, m3]);
  t.equal(queries, 1, 'one query for all messages');
  t.same(grouped.get(m1)?.map((r) => r.filename), ['<img src=x onerror=alert(1)>.png', 'big.pdf']);
  t.equal(grouped.get(m2), undefined);
  t.same(grouped.get(m3)?.map((r) => r.filename), ['c.zip']);
  t.same(await listAttachmentsForMessages(counting, []), new Map(), 'no messages, no query');
  t.equal(queries, 1);

  const html = await app.view('attachments/_list', { attachments: grouped.get(m1), t: app.catalogue.translator('en') });
  t.match(html, `<a href="/attachments/${a[0]!.id}/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E.png"`);
  t.match(html, '">&lt;img src=x onerror=alert(1)&gt;.png</a>', 'the name is escaped');
  t.notMatch(html, '<img');
  t.match(html, `(${BYTES.png.length} bytes)`);
  t.match(html, '(3 MB)');
  t.match(html, `href="/attachments/${a[0]!.id}/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E.png?inline=1"`, 'images get a view link');
  t.notMatch(html, `/attachments/${a[1]!.id}/big.pdf?inline=1`, 'a PDF does not');
  t.equal((await app.view('attachments/_list', { attachments: [], t: app.catalogue.translator('en') })).trim(), '');
});
