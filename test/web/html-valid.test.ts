// Every main page is valid, tidy HTML (issue 19, craft): html-validate's recommended rules, over
// the pages as the server sends them to an admin, an agent, a customer and a visitor.
import { HtmlValidate, type Message } from 'html-validate';
import t from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeMessage, makeTicket, makeUser, PASSWORD } from '../helpers/factories.js';

// Checkboxes sharing a name are HTML's multiple choice (the list's row selection): shared like radios.
const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: { 'form-dup-name': ['error', { shared: ['radio', 'checkbox', 'button', 'reset', 'submit'] }] },
});

async function findings(html: string): Promise<string[]> {
  const report = await validator.validateString(html);
  const lines = html.split('\n');
  return report.results.flatMap((result) => result.messages)
    .map((m: Message) => `${m.ruleId} at line ${m.line}: ${m.message} | ${(lines[m.line - 1] ?? '').trim().slice(0, 160)}`);
}

t.test('html-validate finds nothing on the main pages', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const admin = await makeUser(db, 'admin', { name: 'Ada Admin' });
  const customer = await makeUser(db, 'customer', { name: 'Cora Customer' });
  const id = await makeTicket(db, { requesterId: customer.id, subject: 'Printer <jams>' });
  await makeTicket(db, { requesterId: customer.id, subject: 'Scanner is slow' });
  await makeTicket(db, { requesterId: customer.id, subject: 'Badge reader' });
  await makeMessage(db, id, { authorId: customer.id, kind: 'reply', text: 'It jams on page two.' });
  await makeMessage(db, id, { authorId: admin.id, kind: 'note', text: 'Check the tray.' });
  const visitor = new Client(app);
  const staff = new Client(app);
  await staff.login(admin.email, PASSWORD);
  const client = new Client(app);
  await client.login(customer.email, PASSWORD);

  const pages: [string, Client, string][] = [
    ['visitor', visitor, '/login'], ['visitor', visitor, '/password/forgot'],
    ...[
      '/agent', '/agent/tickets', '/agent/tickets?view=all', `/agent/tickets/${id}`, '/agent/tickets/new', '/agent/search', '/agent/search?q=printer',
      '/agent/offers', '/agent/team', '/agent/customers/invite', '/agent/views/new', '/account', '/account/signature',
      '/admin', '/admin/settings', '/admin/texts', '/admin/users', '/admin/users/new', '/admin/organizations', '/admin/groups',
      '/admin/types', '/admin/fields', '/admin/statuses', '/admin/brands', '/admin/brands/1', '/admin/services', '/admin/mail', '/admin/outbox', '/admin/audit',
      // The API's pages (issue 22): one's tokens, every token, the reference.
      '/account/tokens', '/admin/tokens', '/api/docs',
      // Reports (issue 21): the charts and their tables.
      '/agent/reports', '/agent/reports?by=group',
      // Sign-in (issue 24): passkeys, single sign-on providers.
      '/account/passkeys', '/admin/sso', '/admin/sso/new',
    ].map((url): [string, Client, string] => ['admin', staff, url]),
    ...['/portal', '/portal/tickets', `/portal/tickets/${id}`, '/portal/tickets/new', '/account', '/account/passkeys']
      .map((url): [string, Client, string] => ['customer', client, url]),
  ];
  for (const [who, as, url] of pages) {
    const page = await as.get(url);
    t.equal(page.statusCode, 200, `${who} ${url} answers`);
    const found = await findings(page.body);
    t.same(found, [], `${who} ${url}: no findings`);
  }
  // The signature form again, with a second brand's field and the preview shown.
  await db.insertInto('brands').values({ name: 'Acme', from_name: 'Acme', from_address: 'help@acme.test', portal_title: 'Acme', colour: null, is_default: 0, created_at: new Date().toISOString() }).execute();
  await staff.get('/account/signature');
  const preview = await staff.post('/account/signature', { signature: '**Ada** {{agent.name}}', brand_1: 'Main desk', preview: '1' });
  t.equal(preview.statusCode, 200, 'the signature preview answers');
  t.same(await findings(preview.body), [], 'the signature preview: no findings');
});

t.test('html-validate finds nothing on the two-factor and signed-in browsers pages (issue 24)', async (t) => {
  const { totpAt } = await import('../../src/auth/totp.js');
  const { app, db } = await buildTestDesk(t);
  const admin = await makeUser(db, 'admin', { name: 'Ada Admin' });
  const staff = new Client(app);
  await staff.login(admin.email, PASSWORD);
  const check = async (name: string, html: string) => t.same(await findings(html), [], `${name}: no findings`);
  await check('/account/two-factor (off)', await staff.page('/account/two-factor'));
  await staff.post('/account/two-factor/setup');
  const setup = await staff.page('/account/two-factor');
  await check('/account/two-factor (setting up)', setup);
  const secret = /<code id="two-factor-secret">([A-Z2-7 ]+)<\/code>/.exec(setup)![1]!.replace(/ /g, '');
  const codes = await staff.post('/account/two-factor/confirm', { code: totpAt(secret, Date.now()) });
  t.equal(codes.statusCode, 200);
  await check('the recovery codes', codes.body);
  await check('/account/two-factor (on)', await staff.page('/account/two-factor'));
  await check('/account/sessions', await staff.page('/account/sessions'));
  await check('/admin/users/:id', await staff.page(`/admin/users/${admin.id}`));
  const visitor = new Client(app);
  await visitor.get('/login');
  await visitor.post('/login', { email: admin.email, password: PASSWORD });
  await check('/login/two-factor', await visitor.page('/login/two-factor'));
  const wrong = await visitor.post('/login/two-factor', { code: 'nope' });
  t.equal(wrong.statusCode, 422);
  await check('/login/two-factor (a wrong code)', wrong.body);
});
