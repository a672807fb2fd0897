import t, { type Test } from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

async function asAdmin(t: Test, env: Record<string, string> = {}) {
  const desk = await buildTestDesk(t, {}, env);
  const admin = new Client(desk.app);
  await admin.login((await makeUser(desk.db, 'admin', { name: 'Ada Admin' })).email, PASSWORD);
  return { ...desk, admin };
}

/** The page's form as a browser would send it: every field with its current value, boxes only when ticked. */
function formOf(html: string): Record<string, string> {
  const form: Record<string, string> = {};
  for (const m of html.matchAll(/<input id="f-([\w]+)" name="([\w]+)" type="(\w+)"(?:[^>]*?) value="([^"]*)"[^>]*>/g)) form[m[2]!] = decode(m[4]!);
  for (const m of html.matchAll(/<input id="f-[\w]+" name="([\w]+)" type="checkbox" value="1"( checked)?/g)) {
    if (m[2]) form[m[1]!] = '1'; else delete form[m[1]!];
  }
  for (const m of html.matchAll(/<select id="f-[\w]+" name="([\w]+)"[\s\S]*?<\/select>/g)) {
    form[m[1]!] = decode(/<option value="([^"]*)" selected>/.exec(m[0])?.[1] ?? '');
  }
  for (const m of html.matchAll(/<textarea id="f-[\w]+" name="([\w]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) form[m[1]!] = decode(m[2]!);
  return form;
}

function decode(text: string): string {
  return text.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

t.test('an admin sees every setting with its current value and saves a change that shows at once', async (t) => {
  const { admin, app, db } = await asAdmin(t);
  const page = await admin.get('/admin/settings');
  t.equal(page.statusCode, 200);
  for (const label of ['Site name', 'Base URL', 'Site time zone', 'Default help topic', 'Allow tickets without a service',
    'Attachment size limit (MB)', 'Allowed file types', 'Open tickets when their assignee first views them',
    'Close solved tickets after (days)', 'Remind customers who have not answered after (days)', 'A reply to a closed ticket is',
    'A rating closes the ticket', 'Portal help text']) {
    t.match(page.body, label);
  }
  const form = formOf(page.body);
  t.equal(form.attachments__max_total_bytes, '30', 'the size limit is shown in MB');
  t.equal(form.portal__service_required, '1', 'tickets without a service are allowed by default');
  t.equal(form.open_on_first_view, '1');

  const saved = await admin.post('/admin/settings', {
    ...form, site_name: 'Acme Help', autoclose__solved_days: '4', attachments__max_total_bytes: '10', portal__help_text: 'Read the **FAQ** first.',
    site_time_zone: 'Europe/Berlin', portal__closed_reply: 'followup',
  });
  t.equal(saved.statusCode, 303);
  const after = await admin.get('/admin/settings');
  t.match(after.body, 'Settings saved.');
  t.match(after.body, /<a class="brand" href="\/">Acme Help<\/a>/, 'the site name replaces Deskbell in the header');
  t.match(after.body, '<strong>FAQ</strong>', 'the help text is previewed as Markdown');
  const values = formOf(after.body);
  t.same([values.site_name, values.autoclose__solved_days, values.attachments__max_total_bytes, values.site_time_zone, values.portal__closed_reply],
    ['Acme Help', '4', '10', 'Europe/Berlin', 'followup']);
  const stored = Object.fromEntries((await db.selectFrom('settings').selectAll().execute()).map((r) => [r.key, r.value]));
  t.equal(stored['attachments.max_total_bytes'], String(10 * 1024 * 1024), 'stored in bytes, as the upload check reads it');
  t.equal(stored['portal.closed_reply'], 'followup');

  const audit = await db.selectFrom('audit_log').select(['action', 'details']).orderBy('id').execute();
  t.same(audit.map((a) => JSON.parse(a.details).key).sort(),
    ['attachments.max_total_bytes', 'autoclose.solved_days', 'portal.closed_reply', 'portal.help_text', 'site_name', 'site_time_zone']);
  t.same(JSON.parse(audit.find((a) => a.details.includes('site_name'))!.details), { key: 'site_name', before: '', after: 'Acme Help' });

  const customer = new Client(app);
  await customer.login((await makeUser(db, 'customer')).email, PASSWORD);
  const home = await customer.get('/portal');
  t.match(home.body, '<strong>FAQ</strong>', 'customers see the new help text');
  t.match(home.body, /<title>[^<]*· Acme Help<\/title>/);

  t.equal((await admin.post('/admin/settings', formOf(after.body))).statusCode, 303);
  t.equal(await db.selectFrom('audit_log').select('id').execute().then((r) => r.length), 6, 'saving unchanged values records nothing');
});

t.test('mistakes are refused with 422, every value kept, nothing saved', async (t) => {
  const { admin, db } = await asAdmin(t);
  const form = formOf((await admin.get('/admin/settings')).body);
  const res = await admin.post('/admin/settings', {
    ...form, site_name: 'Kept name', base_url: 'ftp://nope', autoclose__pending_days: '-2', attachments__allowed_types: 'jpg, exe',
    site_time_zone: 'Mars/Olympus',
  });
  t.equal(res.statusCode, 422);
  t.match(res.body, 'Some settings need a correction; nothing was saved.');
  t.match(res.body, 'Enter an address starting with http:// or https://.');
  t.match(res.body, 'Enter a number between 0 and 3650.', 'the error says the allowed range');
  t.match(res.body, 'Use only these types: jpg, png, gif, webp, pdf, zip, txt.');
  t.match(res.body, 'Choose one of the options.');
  const kept = formOf(res.body);
  t.same([kept.site_name, kept.base_url, kept.autoclose__pending_days, kept.attachments__allowed_types], ['Kept name', 'ftp://nope', '-2', 'jpg, exe']);
  t.same(await db.selectFrom('settings').select('key').where('key', '=', 'site_name').execute(), []);
  t.same(await db.selectFrom('audit_log').select('id').execute(), []);
});

t.test('a base URL set in the environment is shown read-only and a POST cannot change it', async (t) => {
  const { admin, db, app } = await asAdmin(t, { BASE_URL: 'https://help.example.com' });
  const page = await admin.get('/admin/settings');
  t.match(page.body, /<input id="f-base_url" name="base_url" type="text" value="https:\/\/help.example.com" readonly/);
  t.match(page.body, 'Set by the environment (BASE_URL); change it there.');
  const res = await admin.post('/admin/settings', { ...formOf(page.body), base_url: 'https://evil.example.net' });
  t.equal(res.statusCode, 303);
  t.same(await db.selectFrom('settings').select('value').where('key', '=', 'base_url').execute(), [], 'not stored');
  t.match((await admin.get('/admin/settings')).body, 'value="https://help.example.com" readonly');

  const customer = await makeUser(db, 'customer');
  const visitor = new Client(app);
  await visitor.get('/password/forgot');
  await visitor.post('/password/forgot', { email: customer.email });
  await app.worker.consume();
  const mail = JSON.parse((await db.selectFrom('jobs').select('payload').where('kind', '=', 'mail').executeTakeFirstOrThrow()).payload);
  t.match(mail.text, 'https://help.example.com/password/reset?token=', 'mail links use the environment\'s address');
});

t.test('without BASE_URL in the environment the admin\'s base URL is used for links in mail', async (t) => {
  const { admin, db, app } = await asAdmin(t);
  const form = formOf((await admin.get('/admin/settings')).body);
  t.equal((await admin.post('/admin/settings', { ...form, base_url: 'https://desk.example.org/' })).statusCode, 303);
  t.equal(formOf((await admin.get('/admin/settings')).body).base_url, 'https://desk.example.org', 'stored without the trailing slash');
  const customer = await makeUser(db, 'customer');
  const visitor = new Client(app);
  await visitor.get('/password/forgot');
  await visitor.post('/password/forgot', { email: customer.email });
  await app.worker.consume();
  const mail = JSON.parse((await db.selectFrom('jobs').select('payload').where('kind', '=', 'mail').executeTakeFirstOrThrow()).payload);
  t.match(mail.text, 'https://desk.example.org/password/reset?token=');
});

t.test('turning off "tickets without a service" makes the portal require one', async (t) => {
  const { admin, db } = await asAdmin(t);
  const form = formOf((await admin.get('/admin/settings')).body);
  delete form.portal__service_required;
  t.equal((await admin.post('/admin/settings', form)).statusCode, 303);
  t.equal((await db.selectFrom('settings').select('value').where('key', '=', 'portal.service_required').executeTakeFirstOrThrow()).value, '1');
  t.equal(formOf((await admin.get('/admin/settings')).body).portal__service_required, undefined, 'shown unticked');
});

t.test('only admins reach the settings', async (t) => {
  const { app, db } = await buildTestDesk(t);
  for (const role of ['supervisor', 'agent', 'customer'] as const) {
    const other = new Client(app);
    await other.login((await makeUser(db, role)).email, PASSWORD);
    t.equal((await other.get('/admin/settings')).statusCode, 403, role);
    t.equal((await other.post('/admin/settings', { site_name: 'Hijacked' })).statusCode, 403, role);
  }
  t.same(await db.selectFrom('settings').select('key').where('key', '=', 'site_name').execute(), []);
});
