import t, { type Test } from 'tap';
import { attachUploads } from '../../src/attachments/uploads.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeMessage, makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';
import { actorOf, BYTES, upload } from './helpers.js';

/** A ticket of Cora's with an agent's reply (a PNG and a PDF) and an internal note (a PNG); Dan is another customer. */
async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const { app, db } = desk;
  const agentUser = await makeUser(db, 'agent');
  const cora = await makeUser(db, 'customer');
  const dan = await makeUser(db, 'customer');
  const [ticketId] = await makeTickets(db, 1, { requesterId: cora.id });
  const agent = new Client(app);
  await agent.login(agentUser.email, PASSWORD);
  const customer = new Client(app);
  await customer.login(cora.email, PASSWORD);
  const other = new Client(app);
  await other.login(dan.email, PASSWORD);

  const { json } = await upload(app, agent, [
    { filename: 'screen.png', content: BYTES.png }, { filename: 'invoice.pdf', content: BYTES.pdf }, { filename: 'internal.png', content: BYTES.png },
  ]);
  const [png, pdf, noted] = json.uploads.map((u) => u.id) as [number, number, number];
  const reply = await makeMessage(db, ticketId!, { authorId: agentUser.id, kind: 'reply' });
  const note = await makeMessage(db, ticketId!, { authorId: agentUser.id, kind: 'note' });
  const actor = await actorOf(db, agentUser.id);
  await db.transaction().execute(async (trx) => {
    await attachUploads(trx, actor, reply, [png, pdf]);
    await attachUploads(trx, actor, note, [noted]);
  });
  return { ...desk, agent, customer, other, png, pdf, noted, ticketId: ticketId! };
}

t.test('who may download: the ticket\'s customer (not a note\'s file), staff; 404 for everyone else', async (t) => {
  const { app, agent, customer, other, png, noted } = await setup(t);
  const url = (id: number) => `/attachments/${id}/file.png`;

  const own = await customer.get(url(png));
  t.equal(own.statusCode, 200, 'the requester downloads a reply\'s file');
  t.same(own.rawPayload, BYTES.png);
  t.equal((await customer.get(url(noted))).statusCode, 404, 'a note\'s file is not the customer\'s to see: 404, not 403');
  t.equal((await other.get(url(png))).statusCode, 404, 'another customer: 404');
  t.equal((await agent.get(url(png))).statusCode, 200, 'staff');
  t.equal((await agent.get(url(noted))).statusCode, 200, 'staff see notes\' files');
  t.equal((await agent.get('/attachments/999999/x.png')).statusCode, 404);
  t.equal((await agent.get('/attachments/abc/x.png')).statusCode, 404);

  const visitor = await app.inject({ method: 'GET', url: url(png) });
  t.equal(visitor.statusCode, 303, 'a visitor is sent to log in');
  t.equal(visitor.headers.location, `/login?next=${encodeURIComponent(url(png))}`);
});

t.test('a restricted agent sees only their groups\' tickets\' files; internal tickets stay from customers', async (t) => {
  const { app, db, customer, png, ticketId } = await setup(t);
  const group = await db.insertInto('groups').values({ name: 'Provider', is_restricted: 1, created_at: new Date().toISOString() })
    .returning('id').executeTakeFirstOrThrow();
  const restricted = await makeUser(db, 'agent');
  await db.insertInto('group_members').values({ group_id: group.id, user_id: restricted.id }).execute();
  const provider = new Client(app);
  await provider.login(restricted.email, PASSWORD);
  t.equal((await provider.get(`/attachments/${png}/x`)).statusCode, 404, 'not in their groups');
  await db.updateTable('tickets').set({ group_id: group.id }).where('id', '=', ticketId).execute();
  t.equal((await provider.get(`/attachments/${png}/x`)).statusCode, 200, 'now it is');

  await db.updateTable('tickets').set({ visibility: 'internal' }).where('id', '=', ticketId).execute();
  t.equal((await customer.get(`/attachments/${png}/x`)).statusCode, 404, 'an internal ticket\'s files are never a customer\'s');
});

t.test('a pending upload is only its uploader\'s', async (t) => {
  const { app, agent, customer } = await setup(t);
  const { json } = await upload(app, customer, [{ filename: 'draft.png', content: BYTES.png }]);
  const id = json.uploads[0]!.id;
  t.equal(json.uploads[0]!.href, `/attachments/${id}/draft.png`);
  t.equal((await customer.get(json.uploads[0]!.href)).statusCode, 200);
  t.equal((await agent.get(json.uploads[0]!.href)).statusCode, 404, 'not even staff, until it belongs to a message');
});

t.test('downloads carry the sniffed type, nosniff, private caching and an attachment disposition', async (t) => {
  const { db, agent, png, pdf } = await setup(t);
  const res = await agent.get(`/attachments/${pdf}/invoice.pdf`);
  t.equal(res.headers['content-type'], 'application/pdf');
  t.equal(res.headers['x-content-type-options'], 'nosniff');
  t.equal(res.headers['cache-control'], 'private');
  t.equal(res.headers['content-disposition'], 'attachment; filename="invoice.pdf"; filename*=UTF-8\'\'invoice.pdf');
  t.equal(Number(res.headers['content-length']), BYTES.pdf.length);
  t.same(res.rawPayload, BYTES.pdf);

  // A name that somehow holds quotes, line breaks or a path still makes one safe header.
  await db.updateTable('attachments').set({ filename: '../x/Ünïcode "evil"\r\nSet-Cookie: a=b;.png' }).where('id', '=', png).execute();
  const nasty = await agent.get(`/attachments/${png}/whatever`);
  t.equal(nasty.statusCode, 200);
  t.equal(nasty.headers['set-cookie'], undefined, 'no header injected');
  t.equal(nasty.headers['content-disposition'],
    'attachment; filename="_n_code _evil_Set-Cookie: a=b_.png"; filename*=UTF-8\'\'%C3%9Cn%C3%AFcode%20%22evil%22Set-Cookie%3A%20a%3Db%3B.png');
});

t.test('images may be shown inline on request; other files never', async (t) => {
  const { db, agent, png, pdf } = await setup(t);
  const image = await agent.get(`/attachments/${png}/screen.png?inline=1`);
  t.equal(image.headers['content-type'], 'image/png');
  t.match(image.headers['content-disposition'], /^inline; filename="screen.png"/);
  t.match((await agent.get(`/attachments/${png}/screen.png`)).headers['content-disposition'], /^attachment;/, 'a download by default');
  t.match((await agent.get(`/attachments/${pdf}/invoice.pdf?inline=1`)).headers['content-disposition'], /^attachment;/, 'a PDF is not shown inline');
  // Even a row that claims SVG (it cannot be uploaded) would not be inline.
  await db.updateTable('attachments').set({ content_type: 'image/svg+xml' }).where('id', '=', pdf).execute();
  t.match((await agent.get(`/attachments/${pdf}/x.svg?inline=1`)).headers['content-disposition'], /^attachment;/);
});

t.test('a file missing on disk is a 404, not a crash', async (t) => {
  const { db, agent, config, png } = await setup(t);
  const { rmSync } = await import('node:fs');
  const { storagePath } = await import('../../src/attachments/store.js');
  const row = await db.selectFrom('attachments').select('storage_key').where('id', '=', png).executeTakeFirstOrThrow();
  rmSync(storagePath(config.uploadsDir, row.storage_key));
  t.equal((await agent.get(`/attachments/${png}/x.png`)).statusCode, 404);
});
