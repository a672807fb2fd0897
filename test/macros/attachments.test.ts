// A macro's files (issue 20, point 1: "optional attachments"): uploaded with the macro form like a
// message's files (sniffed, the type policy and the size limit; a refused form keeps what was sent),
// listed "will be attached" when the macro is applied (each can be left out), copied under keys of
// their own to the message on Send (so deleting the macro leaves the message's file whole), only
// the applied macro's own files, and never swept as unreferenced.
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { removeAbandonedUploads } from '../../src/attachments/cleanup.js';
import { storagePath } from '../../src/attachments/store.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTicket, makeUser, PASSWORD } from '../helpers/factories.js';
import { BYTES, postMultipart, type Part } from '../attachments/helpers.js';

const FIELDS = { name: 'Refund form', kind: 'note', body: 'The form is attached.', status: '', priority: '', type: '', group: '', assignee: '', addTags: '', removeTags: '' };

async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const { db, app } = desk;
  const agent = await makeUser(db, 'agent', { name: 'Robin Agent' });
  const other = await makeUser(db, 'agent', { name: 'Olga Other' });
  const customer = await makeUser(db, 'customer', { name: 'Ann Customer' });
  const id = await makeTicket(db, { requesterId: customer.id, subject: 'Refund please' });
  const login = async (email: string) => {
    const client = new Client(app);
    await client.login(email, PASSWORD);
    await client.page('/agent/macros/new');
    return client;
  };
  const staff = await login(agent.email);
  /** The macro form as a browser sends it: the token first, then the fields, then the files. */
  const save = (client: Client, url: string, fields: Record<string, string | string[]>, files: { filename: string; content: Buffer }[] = []) => {
    const parts: Part[] = [{ name: '_csrf', value: client.csrf }];
    for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) parts.push({ name, value: v });
    for (const file of files) parts.push({ name: 'files', ...file });
    return postMultipart(app, client, url, parts);
  };
  const filesOf = (macroId: number) => db.selectFrom('macro_attachments').selectAll().where('macro_id', '=', macroId).orderBy('id').execute();
  return { ...desk, agent, other, customer, id, staff, login, save, filesOf };
}

t.test('files uploaded with a new macro and on edit belong to it; a removed one is gone from the disk', async (t) => {
  const { db, config, staff, other, login, save, filesOf } = await setup(t);
  const created = await save(staff, '/agent/macros', FIELDS, [{ filename: 'refund-form.pdf', content: BYTES.pdf }]);
  t.equal(created.statusCode, 303, created.body.slice(0, 300));
  const macro = await db.selectFrom('macros').selectAll().executeTakeFirstOrThrow();
  const [pdf] = await filesOf(macro.id);
  t.match(pdf, { filename: 'refund-form.pdf', content_type: 'application/pdf', size: BYTES.pdf.length });
  t.ok(existsSync(storagePath(config.uploadsDir, pdf!.storage_key)), 'the file is on disk');
  t.same(await db.selectFrom('attachments').select('id').execute(), [], 'no pending upload is left behind: the file is the macro\'s');

  const edit = await staff.page(`/agent/macros/${macro.id}/edit`);
  t.match(edit, 'enctype="multipart/form-data"');
  t.match(edit, `href="/agent/macro-files/${pdf!.id}/refund-form.pdf"`, 'the edit form lists the file');
  t.match(edit, `name="removeFile" value="${pdf!.id}"`, 'with a remove box');
  const download = await staff.get(`/agent/macro-files/${pdf!.id}/refund-form.pdf`);
  t.equal(download.statusCode, 200);
  t.same(download.rawPayload, BYTES.pdf, 'the file downloads as uploaded');
  t.match(String(download.headers['content-disposition']), /^attachment;/);
  t.equal((await (await login(other.email)).get(`/agent/macro-files/${pdf!.id}/refund-form.pdf`)).statusCode, 404, 'another agent does not see a personal macro\'s file');

  const edited = await save(staff, `/agent/macros/${macro.id}`, { ...FIELDS, removeFile: String(pdf!.id) }, [{ filename: 'photo.png', content: BYTES.png }]);
  t.equal(edited.statusCode, 303, edited.body.slice(0, 300));
  const files = await filesOf(macro.id);
  t.same(files.map((f) => f.filename), ['photo.png'], 'the new file is added, the ticked one removed');
  t.notOk(existsSync(storagePath(config.uploadsDir, pdf!.storage_key)), 'the removed file is gone from the disk');
  t.ok(existsSync(storagePath(config.uploadsDir, files[0]!.storage_key)));
});

t.test('a refused file re-renders the form with the reason, keeping the text and the accepted files', async (t) => {
  const { db, staff, save, filesOf } = await setup(t);
  const refused = await save(staff, '/agent/macros', FIELDS, [{ filename: 'invoice.pdf', content: BYTES.html }, { filename: 'photo.png', content: BYTES.png }]);
  t.equal(refused.statusCode, 422);
  t.match(refused.body, 'invoice.pdf: its name says PDF, but the content is HTML');
  t.match(refused.body, 'value="Refund form"', 'the name is kept');
  t.match(refused.body, 'The form is attached.', 'and the text');
  t.equal(await db.selectFrom('macros').select('id').executeTakeFirst(), undefined, 'nothing is saved');
  const kept = await db.selectFrom('attachments').select(['id', 'filename']).execute();
  t.same(kept.map((k) => k.filename), ['photo.png'], 'the accepted file waits as a pending upload');
  t.match(refused.body, `name="keep" value="${kept[0]!.id}" checked`, 'listed as already attached');

  const again = await save(staff, '/agent/macros', { ...FIELDS, keep: String(kept[0]!.id) });
  t.equal(again.statusCode, 303, 'the next try saves without choosing the file again');
  const macro = await db.selectFrom('macros').select('id').executeTakeFirstOrThrow();
  t.same((await filesOf(macro.id)).map((f) => f.filename), ['photo.png']);

  // Over the size limit (one message's total): refused by name, the form kept.
  await db.insertInto('settings').values({ key: 'attachments.max_total_bytes', value: '200' }).execute();
  const big = await save(staff, `/agent/macros/${macro.id}`, { ...FIELDS, name: 'Bigger' }, [{ filename: 'big.zip', content: Buffer.concat([BYTES.zip, Buffer.alloc(400)]) }]);
  t.equal(big.statusCode, 422);
  t.match(big.body, 'big.zip: the files of one message may not exceed');
  t.match(big.body, 'value="Bigger"');
  t.equal((await db.selectFrom('macros').select('name').executeTakeFirstOrThrow()).name, 'Refund form', 'the macro is unchanged');
  // Two files each within the limit, together above it.
  const total = await save(staff, `/agent/macros/${macro.id}`, FIELDS, [{ filename: 'second.pdf', content: Buffer.concat([BYTES.pdf, Buffer.alloc(120)]) }]);
  t.equal(total.statusCode, 422);
  t.match(total.body, 'The macro’s files together are larger than one message may carry.');
  t.same((await filesOf(macro.id)).map((f) => f.filename), ['photo.png']);
});

t.test('applying lists the files to be attached; Send attaches the ticked ones as the message\'s own files', async (t) => {
  const { db, config, staff, id, save, filesOf } = await setup(t);
  t.equal((await save(staff, '/agent/macros', FIELDS, [{ filename: 'refund-form.pdf', content: BYTES.pdf }, { filename: 'photo.png', content: BYTES.png }])).statusCode, 303);
  const macro = await db.selectFrom('macros').selectAll().executeTakeFirstOrThrow();
  const [pdf, png] = await filesOf(macro.id);

  await staff.page(`/agent/tickets/${id}`);
  const preview = await staff.page(`/agent/tickets/${id}/macros/preview?macroChoice=${macro.id}`, { 'HX-Request': 'true' });
  t.match(preview, 'Will be attached:');
  t.match(preview, 'refund-form.pdf');
  t.match(preview, 'photo.png');

  const applied = await staff.post(`/agent/tickets/${id}/macro`, { kind: 'reply', body: '', tab: 'general', macroChoice: String(macro.id), macroAction: 'apply' });
  t.equal(applied.statusCode, 200);
  t.match(applied.body, 'Will be attached:');
  t.match(applied.body, `name="macroFile" value="${pdf!.id}" checked`, 'each file ticked');
  t.match(applied.body, `name="macroFile" value="${png!.id}" checked`);
  t.equal(await db.selectFrom('messages').select('id').where('ticket_id', '=', id).executeTakeFirst(), undefined, 'nothing is sent on Apply');
  t.same((await db.selectFrom('attachments').select('id').execute()), [], 'nor attached');

  // The agent leaves the photo out.
  const sent = await staff.post(`/agent/tickets/${id}/messages`, { kind: 'note', body: 'The form is attached.', tab: 'general', macroId: String(macro.id), macroFile: String(pdf!.id) });
  t.equal(sent.statusCode, 303, sent.body.slice(0, 300));
  const message = await db.selectFrom('messages').selectAll().where('ticket_id', '=', id).executeTakeFirstOrThrow();
  t.equal(message.kind, 'note', 'the macro\'s kind');
  const attached = await db.selectFrom('attachments').selectAll().where('message_id', '=', message.id).execute();
  t.same(attached.map((a) => a.filename), ['refund-form.pdf'], 'only the ticked file is attached');
  t.not(attached[0]!.storage_key, pdf!.storage_key, 'under a storage key of its own');
  const page = await staff.page(`/agent/tickets/${id}?tab=internal`);
  t.match(page, `/attachments/${attached[0]!.id}/refund-form.pdf`, 'the message lists it');
  const download = await staff.get(`/attachments/${attached[0]!.id}/refund-form.pdf`);
  t.equal(download.statusCode, 200);
  t.same(download.rawPayload, BYTES.pdf);

  // Deleting the macro removes its files, and leaves the message's copy working.
  await staff.page('/agent/macros');
  t.equal((await staff.post(`/agent/macros/${macro.id}/delete`)).statusCode, 303);
  t.same(await db.selectFrom('macro_attachments').select('id').execute(), [], 'the rows go with the macro');
  t.notOk(existsSync(storagePath(config.uploadsDir, pdf!.storage_key)), 'the macro\'s file is gone from the disk');
  t.notOk(existsSync(storagePath(config.uploadsDir, png!.storage_key)));
  const after = await staff.get(`/attachments/${attached[0]!.id}/refund-form.pdf`);
  t.equal(after.statusCode, 200, 'the message\'s attachment still downloads');
  t.same(after.rawPayload, BYTES.pdf);
});

t.test('the message\'s size total counts the macro\'s files; a refused Send keeps the choice and leaves no copy', async (t) => {
  const { db, app, staff, id, save, filesOf } = await setup(t);
  t.equal((await save(staff, '/agent/macros', FIELDS, [{ filename: 'refund-form.pdf', content: BYTES.pdf }])).statusCode, 303);
  const macro = await db.selectFrom('macros').selectAll().executeTakeFirstOrThrow();
  const [pdf] = await filesOf(macro.id);
  await db.insertInto('settings').values({ key: 'attachments.max_total_bytes', value: String(BYTES.pdf.length + BYTES.png.length - 1) }).execute();
  await staff.page(`/agent/tickets/${id}`);
  const sent = await postMultipart(app, staff, `/agent/tickets/${id}/messages`, [
    { name: '_csrf', value: staff.csrf }, { name: 'kind', value: 'note' }, { name: 'body', value: 'Here.' }, { name: 'tab', value: 'general' },
    { name: 'macroId', value: String(macro.id) }, { name: 'macroFile', value: String(pdf!.id) }, { name: 'files', filename: 'photo.png', content: BYTES.png },
  ]);
  t.equal(sent.statusCode, 422);
  t.match(sent.body, 'The attached files together are larger than one message may carry.');
  t.match(sent.body, `name="macroFile" value="${pdf!.id}" checked`, 'the macro\'s file is still chosen');
  t.equal(await db.selectFrom('messages').select('id').where('ticket_id', '=', id).executeTakeFirst(), undefined, 'nothing is sent');
  t.same(await db.selectFrom('attachments').select('id').execute(), [], 'no copy or upload is left');
  const keys = (await db.selectFrom('macro_attachments').select('storage_key').execute()).map((r) => r.storage_key);
  t.same(keys, [pdf!.storage_key]);
});

t.test('only files of the applied macro the agent may use are attached', async (t) => {
  const { db, staff, other, id, login, save, filesOf } = await setup(t);
  t.equal((await save(staff, '/agent/macros', FIELDS, [{ filename: 'mine.pdf', content: BYTES.pdf }])).statusCode, 303);
  t.equal((await save(staff, '/agent/macros', { ...FIELDS, name: 'Second' }, [{ filename: 'second.png', content: BYTES.png }])).statusCode, 303);
  const olga = await login(other.email);
  t.equal((await save(olga, '/agent/macros', { ...FIELDS, name: 'Olga\'s' }, [{ filename: 'secret.pdf', content: BYTES.pdf }])).statusCode, 303);
  const [mine, second, olgas] = await db.selectFrom('macros').select('id').orderBy('id').execute();
  const [foreign] = await filesOf(olgas!.id);
  const [secondFile] = await filesOf(second!.id);

  await staff.page(`/agent/tickets/${id}`);
  for (const [fileId, why] of [[foreign!.id, 'another agent\'s macro file'], [secondFile!.id, 'a file of another macro than the one applied']] as const) {
    const sent = await staff.post(`/agent/tickets/${id}/messages`, { kind: 'note', body: 'Sneaky', tab: 'general', macroId: String(mine!.id), macroFile: String(fileId) });
    t.equal(sent.statusCode, 422, `${why} is refused`);
    t.match(sent.body, 'A file of the macro is no longer available');
  }
  // Olga's macro itself cannot be applied by Robin: its files neither.
  const viaHers = await staff.post(`/agent/tickets/${id}/messages`, { kind: 'note', body: 'Sneaky', tab: 'general', macroId: String(olgas!.id), macroFile: String(foreign!.id) });
  t.equal(viaHers.statusCode, 422);
  t.equal(await db.selectFrom('messages').select('id').where('ticket_id', '=', id).executeTakeFirst(), undefined, 'nothing was sent');
  t.same(await db.selectFrom('attachments').select('id').execute(), [], 'nothing was attached');
});

t.test('the upload clean-up keeps a macro\'s files however old, and still removes files nobody names', async (t) => {
  const { db, config, staff, save, filesOf } = await setup(t);
  t.equal((await save(staff, '/agent/macros', FIELDS, [{ filename: 'refund-form.pdf', content: BYTES.pdf }])).statusCode, 303);
  const macro = await db.selectFrom('macros').select('id').executeTakeFirstOrThrow();
  const [file] = await filesOf(macro.id);
  const old = new Date(Date.now() - 48 * 3600_000);
  const path = storagePath(config.uploadsDir, file!.storage_key);
  utimesSync(path, old, old);
  const orphan = storagePath(config.uploadsDir, 'ef'.repeat(16));
  mkdirSync(join(orphan, '..'), { recursive: true });
  writeFileSync(orphan, BYTES.png);
  utimesSync(orphan, old, old);

  const swept = await removeAbandonedUploads(db, config.uploadsDir);
  t.equal(swept.unreferenced, 1);
  t.ok(existsSync(path), 'the macro\'s two-day-old file survives the sweep');
  t.notOk(existsSync(orphan), 'the file nobody names is removed');
  t.equal((await staff.get(`/agent/macro-files/${file!.id}/refund-form.pdf`)).statusCode, 200);
});

t.test('duplicating a macro copies the files left ticked, under keys of their own', async (t) => {
  const { db, config, staff, other, login, save, filesOf } = await setup(t);
  t.equal((await save(staff, '/agent/macros', FIELDS, [{ filename: 'refund-form.pdf', content: BYTES.pdf }, { filename: 'photo.png', content: BYTES.png }])).statusCode, 303);
  const source = await db.selectFrom('macros').select('id').executeTakeFirstOrThrow();
  const [pdf, png] = await filesOf(source.id);
  const form = await staff.page(`/agent/macros/${source.id}/duplicate`);
  t.match(form, `name="copyFrom" value="${source.id}"`);
  t.match(form, `name="copyFile" value="${pdf!.id}" checked`, 'its files come along, ticked');
  t.match(form, `name="copyFile" value="${png!.id}" checked`);

  const copied = await save(staff, '/agent/macros', { ...FIELDS, name: 'Refund form (copy)', copyFrom: String(source.id), copyFile: String(pdf!.id) });
  t.equal(copied.statusCode, 303, copied.body.slice(0, 300));
  const copy = await db.selectFrom('macros').select('id').where('name', '=', 'Refund form (copy)').executeTakeFirstOrThrow();
  const files = await filesOf(copy.id);
  t.same(files.map((f) => f.filename), ['refund-form.pdf'], 'the unticked photo stays behind');
  t.not(files[0]!.storage_key, pdf!.storage_key, 'a file of its own');
  await staff.page('/agent/macros');
  t.equal((await staff.post(`/agent/macros/${source.id}/delete`)).statusCode, 303);
  t.ok(existsSync(storagePath(config.uploadsDir, files[0]!.storage_key)), 'deleting the original leaves the copy\'s file');
  t.same((await staff.get(`/agent/macro-files/${files[0]!.id}/refund-form.pdf`)).rawPayload, BYTES.pdf);

  // Nobody copies files from a macro they do not see.
  const olga = await login(other.email);
  const sneaky = await save(olga, '/agent/macros', { ...FIELDS, name: 'Sneaky', copyFrom: String(copy.id), copyFile: String(files[0]!.id) });
  t.equal(sneaky.statusCode, 404);
  t.equal(await db.selectFrom('macros').select('id').where('name', '=', 'Sneaky').executeTakeFirst(), undefined);
  t.equal((await db.selectFrom('macro_attachments').select('id').execute()).length, 1, 'no file was copied');
});
