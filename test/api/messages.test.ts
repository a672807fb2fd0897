// The API's conversation (issue 22): messages by who may read them (customers never a note), new
// messages as JSON or multipart with files, files uploaded first, and downloads.
import t from 'tap';
import { BYTES, multipart } from '../attachments/helpers.js';
import { makeMessage } from '../helpers/factories.js';
import { buildApiDesk, json } from './helpers.js';

t.test('staff read notes; customers read the public conversation only', async (t) => {
  const desk = await buildApiDesk(t);
  const id = desk.tickets.mine;
  await makeMessage(desk.db, id, { authorId: desk.users.customer.id, kind: 'reply', text: 'My printer jams' });
  await makeMessage(desk.db, id, { authorId: desk.users.agent.id, kind: 'note', text: 'Staff only: old model' });
  const staff = json(t, await desk.call('agent', 'GET', `/api/v1/tickets/${id}/messages`), 200, 'agent');
  t.same(staff.items.map((m: { kind: string }) => m.kind), ['reply', 'note']);
  t.match(staff.items[0], { bodyText: 'My printer jams', author: { id: desk.users.customer.id, name: 'Ann Acme', side: 'customer' }, attachments: [] });
  const customer = await desk.call('customer', 'GET', `/api/v1/tickets/${id}/messages`);
  t.equal(customer.statusCode, 200);
  t.same(json(t, customer, 200, 'customer').items.map((m: { kind: string }) => m.kind), ['reply'], 'no note');
  t.notMatch(customer.body, 'Staff only');
  t.equal((await desk.call('other', 'GET', `/api/v1/tickets/${id}/messages`)).statusCode, 404, 'another customer: not there');
  t.equal((await desk.call('restricted', 'GET', `/api/v1/tickets/${id}/messages`)).statusCode, 404, 'a restricted agent outside the group: not there');
  t.equal((await desk.call(null, 'GET', `/api/v1/tickets/${id}/messages`)).statusCode, 401);
});

t.test('staff reply, note and update; customers answer; the rules are the pages\'', async (t) => {
  const desk = await buildApiDesk(t);
  const id = desk.tickets.mine;
  const reply = json(t, await desk.call('agent', 'POST', `/api/v1/tickets/${id}/messages`, { body: 'We are on it.' }), 201, 'a reply');
  t.match(reply, { kind: 'reply', bodyText: 'We are on it.', via: 'api' });
  const note = json(t, await desk.call('agent', 'POST', `/api/v1/tickets/${id}/messages`, { kind: 'note', body: 'Call the vendor', statusId: 2 }), 201, 'a note with a status');
  t.equal(note.kind, 'note');
  t.equal((await desk.db.selectFrom('tickets').select('status_id').where('id', '=', id).executeTakeFirstOrThrow()).status_id, 2, 'the status moved with it');
  await desk.app.worker.consume();
  const mails = await desk.db.selectFrom('jobs').select('payload').where('kind', '=', 'mail').execute();
  t.ok(mails.some((m) => m.payload.includes('ann@acme.test') && m.payload.includes('We are on it.')), 'the reply is mailed to the requester');
  t.notOk(mails.some((m) => m.payload.includes('Call the vendor')), 'the note is not');

  const answer = json(t, await desk.call('customer', 'POST', `/api/v1/tickets/${id}/messages`, { body: 'Thanks!' }), 201, 'the customer answers');
  t.match(answer, { kind: 'reply', bodyText: 'Thanks!', author: { id: desk.users.customer.id } });
  const customerNote = json(t, await desk.call('customer', 'POST', `/api/v1/tickets/${id}/messages`, { kind: 'note', body: 'x' }), 422, 'a customer\'s note');
  t.equal(customerNote.errors[0].pointer, '#/kind');
  t.equal((await desk.call('other', 'POST', `/api/v1/tickets/${id}/messages`, { body: 'Hello?' })).statusCode, 404, 'another customer\'s ticket is not there');
  const empty = json(t, await desk.call('agent', 'POST', `/api/v1/tickets/${id}/messages`, { body: '   ' }), 422, 'an empty body');
  t.same(empty.errors.map((e: { pointer: string; code: string }) => [e.pointer, e.code]), [['#/body', 'errors.required']]);
});

t.test('files: multipart with the message, or uploaded first; downloads only for who may read them', async (t) => {
  const desk = await buildApiDesk(t);
  const id = desk.tickets.mine;
  const form = multipart([{ name: 'kind', value: 'note' }, { name: 'body', value: 'The log' }, { name: 'files', filename: 'log.pdf', content: BYTES.pdf, type: 'application/pdf' }]);
  const sent = await desk.app.inject({ method: 'POST', url: `/api/v1/tickets/${id}/messages`, headers: { authorization: `Bearer ${desk.tokens.agent}`, 'content-type': form.contentType }, payload: form.body });
  const note = json(t, sent, 201, 'a note with a file');
  t.equal(note.attachments.length, 1);
  t.match(note.attachments[0], { filename: 'log.pdf', contentType: 'application/pdf', href: `/api/v1/attachments/${note.attachments[0].id}` });
  const download = await desk.call('agent', 'GET', note.attachments[0].href);
  t.equal(download.statusCode, 200, 'staff download it');
  t.equal(download.body, BYTES.pdf.toString());
  t.match(download.headers['content-disposition'], /attachment/);
  t.equal((await desk.call('customer', 'GET', note.attachments[0].href)).statusCode, 404, 'the customer cannot: it is a note\'s');

  const upload = multipart([{ name: 'files', filename: 'shot.png', content: BYTES.png, type: 'image/png' }, { name: 'files', filename: 'page.html', content: BYTES.html, type: 'text/html' }]);
  const stored = json(t, await desk.app.inject({ method: 'POST', url: '/api/v1/uploads', headers: { authorization: `Bearer ${desk.tokens.customer}`, 'content-type': upload.contentType }, payload: upload.body }), 201, 'uploads');
  t.equal(stored.uploads.length, 1, 'the picture is kept');
  t.equal(stored.rejected[0].filename, 'page.html', 'the page is refused, by its bytes');
  const answer = json(t, await desk.call('customer', 'POST', `/api/v1/tickets/${id}/messages`, { body: 'Screenshot', uploadIds: [stored.uploads[0].id] }), 201, 'the answer with the upload');
  t.equal(answer.attachments[0].filename, 'shot.png');
  t.equal((await desk.call('customer', 'GET', `/api/v1/attachments/${answer.attachments[0].id}`)).statusCode, 200, 'the customer downloads their file');
  t.equal((await desk.call('other', 'GET', `/api/v1/attachments/${answer.attachments[0].id}`)).statusCode, 404, 'another customer cannot');
  const reused = json(t, await desk.call('other', 'POST', `/api/v1/tickets/${desk.tickets.others}/messages`, { body: 'Mine now', uploadIds: [stored.uploads[0].id] }), 422, 'someone else\'s upload id');
  t.equal(reused.errors[0].pointer, '#/files');
});
