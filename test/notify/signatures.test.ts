// Signatures (issue 20, point 5): an agent's signature under their public messages, stored with the
// message; a brand's footer under every ticket mail of that brand.
import t from 'tap';
import { makeTicket, makeUser, PASSWORD } from '../helpers/factories.js';
import { Client } from '../helpers/client.js';
import { notifyDesk } from './helpers.js';

const SIGNATURE = 'Best regards,\n**{{agent.name}}** · {{brand.name}}\n<script>alert(1)</script>';

async function addBrand(db: Awaited<ReturnType<typeof notifyDesk>>['db'], name: string): Promise<number> {
  const row = await db.insertInto('brands').values({
    name, from_name: name, from_address: `help@${name.toLowerCase()}.test`, portal_title: name, colour: null, is_default: 0, created_at: new Date().toISOString(),
  }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

t.test('a reply carries the agent\'s signature, in the mail\'s two parts and in the thread; a note does not', async (t) => {
  const { staff, portal, db, id, delivered, to } = await notifyDesk(t);
  const brand = await db.selectFrom('brands').select('name').where('id', '=', 1).executeTakeFirstOrThrow();
  const saved = await staff.post('/account/signature', { signature: SIGNATURE });
  t.equal(saved.statusCode, 303, 'the signature is saved');
  t.match(await staff.page('/account/signature'), '{{agent.name}}', 'and shown as typed on the form');

  t.equal((await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'The printer is fixed.' })).statusCode, 303);
  const [mail] = to(await delivered(), 'cora@example.test');
  const text = mail!.parsed.text!;
  t.match(text, `The printer is fixed.\n\n-- \nBest regards,\n**Kim Agent** · ${brand.name}`, 'text part: the delimiter, then the signature with its placeholders filled');
  const html = String(mail!.parsed.html);
  t.match(html, '<strong>Kim Agent</strong>', 'html part: the signature rendered');
  t.notMatch(html, '<script', 'no script reaches the mail\'s html (the text part is plain text: it shows it as typed)');
  t.match(html, '&lt;script&gt;', 'it is shown as text');

  const agentPage = await staff.page(`/agent/tickets/${id}`);
  t.match(agentPage, '<strong>Kim Agent</strong>', 'the agent\'s thread shows the signature');
  t.notMatch(agentPage, '<script>alert(1)', 'no script reaches the page');
  const portalPage = await portal.page(`/portal/tickets/${id}`);
  t.match(portalPage, '<strong>Kim Agent</strong>', 'so does the customer\'s');
  t.notMatch(portalPage, '<script>alert(1)');

  await staff.post(`/agent/tickets/${id}/messages`, { kind: 'note', body: 'NOTE-ONLY text' });
  const note = await db.selectFrom('messages').select('body_text').where('kind', '=', 'note').executeTakeFirstOrThrow();
  t.equal(note.body_text, 'NOTE-ONLY text', 'a note is stored without a signature');
  t.same(await delivered(), [], 'and mails nobody');

  await staff.post(`/agent/tickets/${id}/messages`, { kind: 'update', body: 'Technician booked' });
  const [update] = to(await delivered(), 'cora@example.test');
  t.match(update!.parsed.text, 'Technician booked\n\n-- \nBest regards,', 'a public update is signed too');
});

t.test('a message keeps the signature it was sent with; a later edit changes only later messages', async (t) => {
  const { staff, db, id, delivered } = await notifyDesk(t);
  await staff.post('/account/signature', { signature: 'Old signature' });
  await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'First answer' });
  await staff.post('/account/signature', { signature: 'New signature' });
  await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'Second answer' });
  await delivered();
  const rows = await db.selectFrom('messages').select('body_text').where('kind', '=', 'reply').orderBy('id').execute();
  t.same(rows.map((r) => r.body_text), ['First answer\n\n-- \nOld signature', 'Second answer\n\n-- \nNew signature']);
  const page = await staff.page(`/agent/tickets/${id}`);
  t.match(page, 'Old signature', 'the thread still shows the old one under the first reply');
  await staff.post('/account/signature', { signature: '' });
  await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'Third answer' });
  const third = await db.selectFrom('messages').select('body_text').where('kind', '=', 'reply').orderBy('id', 'desc').executeTakeFirstOrThrow();
  t.equal(third.body_text, 'Third answer', 'no signature, no delimiter');
});

t.test('a brand of its own signature, and each brand\'s footer under its ticket mail only', async (t) => {
  const { staff, db, cora, id, delivered, to } = await notifyDesk(t);
  const other = await addBrand(db, 'Acme');
  const otherTicket = await makeTicket(db, { requesterId: cora.id, subject: 'Acme question', groupId: 1, brandId: other });
  t.match(await staff.page('/account/signature'), `name="brand_${other}"`, 'the form has a field per brand');
  t.equal((await staff.post('/account/signature', { signature: 'General sig', [`brand_${other}`]: 'Acme sig for {{agent.first_name}}', brand_1: '' })).statusCode, 303);

  const admin = new Client(staff.app);
  const adminUser = await makeUser(db, 'admin', { email: 'ada@desk.test' });
  await admin.login(adminUser.email, PASSWORD);
  const brand1 = await db.selectFrom('brands').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
  const footerSaved = await admin.post('/admin/brands/1', {
    name: brand1.name, fromName: brand1.from_name, fromAddress: brand1.from_address, portalTitle: brand1.portal_title, colour: '', isDefault: '1',
    mailFooter: 'Main Desk Ltd · [Terms](https://example.test/terms)\n<script>x()</script>',
  });
  t.equal(footerSaved.statusCode, 303, 'the admin saves the brand\'s footer');
  t.match(await admin.page('/admin/brands/1'), 'Main Desk Ltd', 'and sees it on the brand\'s page');
  const tooLong = await admin.post('/admin/brands/1', {
    name: brand1.name, fromName: brand1.from_name, fromAddress: brand1.from_address, portalTitle: brand1.portal_title, colour: '', isDefault: '1',
    mailFooter: `KEPT ${'y'.repeat(2000)}`,
  });
  t.equal(tooLong.statusCode, 422, 'a footer over 2,000 characters is refused');
  t.match(tooLong.body, `KEPT ${'y'.repeat(2000)}</textarea>`, 'with what was typed kept');
  t.match((await db.selectFrom('brands').select('mail_footer').where('id', '=', 1).executeTakeFirstOrThrow()).mail_footer, /^Main Desk Ltd/, 'and the saved one unchanged');

  await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'Main answer' });
  await staff.post(`/agent/tickets/${otherTicket}/messages`, { kind: 'reply', body: 'Acme answer' });
  const mails = to(await delivered(), 'cora@example.test');
  const main = mails.find((m) => m.parsed.text!.includes('Main answer'))!;
  const acme = mails.find((m) => m.parsed.text!.includes('Acme answer'))!;
  t.match(main.parsed.text, 'Main answer\n\n-- \nGeneral sig', 'the general signature on the default brand');
  t.match(acme.parsed.text, 'Acme answer\n\n-- \nAcme sig for Kim', 'the brand\'s own on its tickets');
  t.match(main.parsed.text, 'Main Desk Ltd', 'the footer in the text part');
  t.match(String(main.parsed.html), '<a href="https://example.test/terms"', 'and rendered in the html part');
  t.notMatch(String(main.parsed.html), '<script', 'no script from a footer in the html part');
  t.match(String(main.parsed.html), '&lt;script&gt;x()', 'it is shown as text');
  t.notMatch(acme.raw, 'Main Desk Ltd', 'not in another brand\'s mail');
  t.ok(main.parsed.text!.trimEnd().endsWith('<script>x()</script>'), 'the footer is at the very bottom of the text part');

  // Every ticket mail of the brand, not only replies: the customer's answer mailed to staff.
  await db.updateTable('tickets').set({ assignee_id: (await db.selectFrom('users').select('id').where('email', '=', 'kim@desk.test').executeTakeFirstOrThrow()).id }).where('id', '=', id).execute();
  const portal = new Client(staff.app);
  await portal.login(cora.email, PASSWORD);
  t.equal((await portal.post(`/portal/tickets/${id}/replies`, { body: 'Thanks!' })).statusCode, 303);
  const [toStaff] = to(await delivered(), 'kim@desk.test');
  t.ok(toStaff, 'the assignee hears of the customer\'s answer');
  t.match(toStaff!.parsed.text, 'Main Desk Ltd', 'with the brand\'s footer');
  t.notMatch(toStaff!.parsed.text, 'General sig', 'and no agent signature (the customer wrote it)');
});

t.test('the signature form: placeholders checked, values kept, a preview without saving, CSRF, staff only', async (t) => {
  const { staff, db, cora, agent } = await notifyDesk(t);
  const refused = await staff.post('/account/signature', { signature: 'Hi {{ticket.secret}} there' });
  t.equal(refused.statusCode, 422);
  t.match(refused.body, 'Hi {{ticket.secret}} there', 'what was typed is kept');
  t.match(refused.body, '“{{ticket.secret}}” is not a placeholder a signature knows.');
  const tooLong = await staff.post('/account/signature', { signature: 'x'.repeat(2001) });
  t.equal(tooLong.statusCode, 422);
  t.equal((await db.selectFrom('users').select('signature').where('id', '=', agent.id).executeTakeFirstOrThrow()).signature, '', 'nothing saved');

  const preview = await staff.post('/account/signature', { signature: '*Kind* regards, {{agent.name}} <b>x</b>', preview: '1' });
  t.equal(preview.statusCode, 200);
  t.match(preview.body, '<em>Kind</em> regards, Kim Agent &lt;b&gt;x&lt;/b&gt;', 'the preview shows it rendered and filled in');
  t.match(preview.body, '*Kind* regards, {{agent.name}} &lt;b&gt;x&lt;/b&gt;</textarea>', 'the text stays in the form');
  t.equal((await db.selectFrom('users').select('signature').where('id', '=', agent.id).executeTakeFirstOrThrow()).signature, '', 'a preview saves nothing');

  const forged = await staff.post('/account/signature', { signature: 'Forged', _csrf: 'wrong' });
  t.equal(forged.statusCode, 403, 'without the form\'s token: refused');
  t.equal((await db.selectFrom('users').select('signature').where('id', '=', agent.id).executeTakeFirstOrThrow()).signature, '');

  const customer = new Client(staff.app);
  await customer.login(cora.email, PASSWORD);
  t.equal((await customer.get('/account/signature')).statusCode, 403, 'customers have no signature');
  t.notMatch(await customer.page('/account'), '/account/signature', 'nor a link to one');
  t.match(await staff.page('/account'), 'href="/account/signature"', 'staff find it on their profile');
});
