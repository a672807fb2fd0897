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
    ].map((url): [string, Client, string] => ['admin', staff, url]),
    ...['/portal', '/portal/tickets', `/portal/tickets/${id}`, '/portal/tickets/new', '/account']
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
