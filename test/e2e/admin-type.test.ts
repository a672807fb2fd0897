// Browser test of issue 5's ticket types and fields, with JavaScript off and on: the admin builds a
// dropdown field (a validation round first) and a new help topic with it; a customer submits a ticket
// of that type (the required field refused empty, nothing retyped); the portal and the agent's details
// page show the value; the audit log lists the admin's changes. A fresh server per mode.
import t from 'tap';
import type { Test } from 'tap';
import { launchBrowser, screenshot } from './browser.js';
import { checkHtmx, createFirstAdmin, finish, landsOn, mode, openSession, sees, ADMIN, type Session } from './steps.js';
import { errorOf, facts, openCustomer, rows, type Customer } from './admin-steps.js';
import { label } from './portal-steps.js';
import { markPage, noNewProblems, samePage, selected } from './workspace-steps.js';

const browser = await launchBrowser(t);

const FIELD = { key: 'affected_system', label: 'Affected system', options: ['ERP', 'CRM', 'Mail'] };
const TYPE = { name: 'System outage', description: 'Something we run is down or broken.' };

interface World { session: Session; customer?: Customer; suffix: string; ticket: { id: number; subject: string } }

/** Run one flow as a subtest; afterwards, no console errors or CSP violations in either browser context. */
function flow(t: Test, world: World, name: string, body: (t: Test) => Promise<void>) {
  return t.test(name, async (t) => {
    const since = world.session.problems.problems.length;
    const customerSince = world.customer?.problems.problems.length ?? 0;
    await body(t);
    noNewProblems(t, world.session, since, name);
    if (world.customer) t.same(world.customer.problems.problems.slice(customerSince), [], `no console errors or CSP violations on the customer's pages during: ${name}`);
  });
}

/** 1. /admin/fields: a dropdown field; the first try without a label is refused and keeps what was typed. */
async function createField(t: Test, { session: { page, desk, problems }, suffix }: World) {
  await page.goto(`${desk.baseUrl}/admin/fields`);
  await sees(t, page, 'Fields are the extra questions of a ticket type.');
  await page.getByRole('link', { name: 'New field', exact: true }).click();
  await landsOn(t, page, '/admin/fields/new');
  const form = page.locator('#field-form');
  await form.getByLabel(label('Key')).fill(FIELD.key);
  await form.getByLabel(label('Kind')).selectOption({ label: 'Dropdown' });
  await form.getByLabel(label('Options')).fill(FIELD.options.join('\n'));
  await form.getByLabel('Visible to customers', { exact: true }).check();
  await form.getByLabel('Required for customers', { exact: true }).check();
  await screenshot(page, `admin-field-form-${suffix}`);

  problems.expectStatus(422);
  await form.getByRole('button', { name: 'Create field' }).click();
  await sees(t, page, 'Some fields need your attention.', 'an empty label is refused');
  t.equal(await errorOf(form.getByLabel(label('Label'))), 'This field is required.', 'the error is shown at Label');
  t.equal(await form.getByLabel(label('Key')).inputValue(), FIELD.key, 'Key is kept');
  t.equal(await selected(form.getByLabel(label('Kind'))), 'Dropdown', 'Kind is kept');
  t.equal((await form.getByLabel(label('Options')).inputValue()).replace(/\r\n/g, '\n'), FIELD.options.join('\n'), 'the options are kept');
  t.ok(await form.getByLabel('Visible to customers', { exact: true }).isChecked(), '"Visible to customers" stays ticked');
  t.ok(await form.getByLabel('Required for customers', { exact: true }).isChecked(), '"Required for customers" stays ticked');
  t.notOk(await form.getByLabel('Required for agents', { exact: true }).isChecked(), '"Required for agents" stays unticked');
  await screenshot(page, `admin-field-form-refused-${suffix}`);
  problems.clearExpected();

  await form.getByLabel(label('Label')).fill(FIELD.label);
  await form.getByRole('button', { name: 'Create field' }).click();
  await landsOn(t, page, /^\/admin\/fields\/\d+$/);
  await sees(t, page, 'The field was created.');
  await sees(t, page, `Field: ${FIELD.label}`, 'the field\'s page is shown');
  const stored = await rows(page, 'fieldset.field-options table');
  t.same(stored.map((r) => r['Stored value']), ['erp', 'crm', 'mail'], 'the three options are stored in order', { stored });

  await page.locator('nav.admin-menu').getByRole('link', { name: 'Fields' }).click();
  await landsOn(t, page, '/admin/fields');
  const row = (await rows(page, 'table.admin-fields')).find((r) => r.Label === FIELD.label);
  t.match(row, { Key: FIELD.key, Kind: 'Dropdown', Required: 'for customers', 'Visible to customers': 'Yes', 'Ticket types': '0' }, 'the list shows the field', { row });
}

/** 2. /admin/types: the help topic customers may choose, and the field added to it. */
async function createType(t: Test, { session: { page, desk }, suffix }: World) {
  await page.goto(`${desk.baseUrl}/admin/types`);
  await page.getByRole('link', { name: 'New ticket type', exact: true }).click();
  await landsOn(t, page, '/admin/types/new');
  const form = page.locator('#type-form');
  await form.getByLabel(label('Name')).fill(TYPE.name);
  await form.getByLabel(label('Description shown to customers')).fill(TYPE.description);
  await form.getByLabel('Customers may choose it', { exact: true }).check();
  await screenshot(page, `admin-type-form-${suffix}`);
  await form.getByRole('button', { name: 'Create ticket type' }).click();
  await landsOn(t, page, /^\/admin\/types\/\d+$/);
  await sees(t, page, 'The ticket type was created. Now add its fields.');
  await sees(t, page, `Ticket type: ${TYPE.name}`);
  t.ok(await page.locator('#type-form').getByLabel('Customers may choose it', { exact: true }).isChecked(), '"Customers may choose it" was saved');

  const add = page.locator('#add-field');
  await add.getByLabel(label('Add a field')).selectOption({ label: `${FIELD.label} (${FIELD.key})` });
  await add.getByRole('button', { name: 'Add', exact: true }).click();
  await sees(t, page, 'The field was added to the ticket type.');
  const fields = await rows(page, '#type-fields table');
  t.same(fields.map((r) => [r.Field, r.Kind]), [[`${FIELD.label} (${FIELD.key})`, 'Dropdown']], 'the type lists the field', { fields });
  await page.locator('#type-fields').scrollIntoViewIfNeeded();
  await screenshot(page, `admin-type-fields-${suffix}`);

  await page.locator('nav.admin-menu').getByRole('link', { name: 'Ticket types' }).click();
  await landsOn(t, page, '/admin/types');
  const row = (await rows(page, 'table.admin-types')).find((r) => r.Name === TYPE.name);
  t.match(row, { 'Customers may choose': 'Yes', Fields: '1', State: 'Active' }, 'the list shows the type: customers may choose it, one field', { row });
}

/** 3. The customer picks the new topic, is refused without a choice, then submits with CRM. */
async function customerSubmits(t: Test, world: World) {
  const { session: { page: adminPage, desk, js }, suffix, ticket } = world;
  const { page, problems } = world.customer!;
  await page.goto(`${desk.baseUrl}/portal/tickets/new`);
  const form = page.locator('#submit-form');
  const topic = form.getByLabel(label('Help Topic'));
  t.equal(await form.getByLabel(label(FIELD.label)).count(), 0, 'the preselected topic has no "Affected system"');
  const message = 'Nobody can log in to the CRM since 9:00.\nThe page stays white.';
  await form.getByLabel(label('Subject')).fill(ticket.subject);
  await form.getByLabel(label('Message')).fill(message);

  if (js) await markPage(page, '#f-subject');
  await topic.selectOption({ label: TYPE.name });
  const change = form.getByRole('button', { name: 'Change', exact: true });
  if (js) t.notOk(await change.isVisible(), 'with JS, the "Change" button is hidden');
  else await change.click();
  const field = form.getByLabel(label(FIELD.label));
  t.ok(await field.waitFor().then(() => true, () => false), `the topic's field appears: ${FIELD.label}`);
  if (js) t.same(await samePage(page, '#f-subject'), { sameWindow: true, sameNode: true }, 'only the field block was swapped: Subject is the same DOM node');
  else t.equal(new URL(page.url()).pathname, '/portal/tickets', 'without JS, "Change" posted the form and it came back');
  t.match(await form.locator(`label[for="f-field_${FIELD.key}"]`).innerText(), new RegExp(`${FIELD.label}\\s*\\*`), `${FIELD.label} is marked required`);
  await sees(t, page, TYPE.description, 'the topic\'s description is shown');
  t.same(await field.locator('option').allInnerTexts(), ['Choose…', ...FIELD.options], 'the dropdown offers the options');
  t.equal(await selected(topic), TYPE.name, 'the topic is chosen');
  t.equal(await form.getByLabel(label('Subject')).inputValue(), ticket.subject, 'Subject is kept');
  await field.scrollIntoViewIfNeeded();
  await screenshot(page, `admin-type-customer-form-${suffix}`);

  problems.expectStatus(422);
  await form.getByRole('button', { name: 'Submit ticket' }).click();
  await sees(t, page, 'Some fields need your attention.', 'the ticket is refused without a choice');
  t.equal(await errorOf(form.getByLabel(label(FIELD.label))), 'This field is required.', `the error is shown at ${FIELD.label}`);
  t.equal(await form.getByLabel(label('Subject')).inputValue(), ticket.subject, 'Subject is kept');
  t.equal(await form.getByLabel(label('Message')).inputValue(), message, 'Message is kept');
  t.equal(await selected(topic), TYPE.name, 'the topic is kept');
  await form.getByLabel(label(FIELD.label)).scrollIntoViewIfNeeded();
  await screenshot(page, `admin-type-customer-refused-${suffix}`);
  problems.clearExpected();

  await form.getByLabel(label(FIELD.label)).selectOption({ label: 'CRM' });
  await form.getByRole('button', { name: 'Submit ticket' }).click();
  await landsOn(t, page, /^\/portal\/tickets\/\d+\/submitted$/);
  ticket.id = Number(new URL(page.url()).pathname.split('/')[3]);
  await sees(t, page, `Ticket #${ticket.id} received`, 'the confirmation page names the ticket number');
  await page.getByRole('link', { name: 'Track your ticket' }).click();
  await landsOn(t, page, `/portal/tickets/${ticket.id}`);
  t.match(await facts(page.locator('.ticket-details dl.facts')), { 'Help Topic': TYPE.name, [FIELD.label]: 'CRM' }, 'the ticket page shows the topic and "Affected system: CRM"');

  await adminPage.goto(`${desk.baseUrl}/agent/tickets/${ticket.id}`);
  await sees(t, adminPage, ticket.subject, 'the agent\'s details page opens');
  const panel = adminPage.locator('.ticket-panel');
  t.same([await selected(panel.getByLabel('Type', { exact: true })), await selected(panel.getByLabel(label(FIELD.label)))], [TYPE.name, 'CRM'],
    'the agent\'s details page shows the type and "Affected system: CRM" in its side panel');
}

/** 4. /admin/audit lists the field, the type and the field added to it, by the admin; the action filter narrows it. */
async function audit(t: Test, { session: { page, desk } }: World) {
  await page.goto(`${desk.baseUrl}/admin/audit`);
  const entries = await rows(page, 'table.audit');
  const find = (action: string, text: string) => entries.find((e) => e.What?.startsWith(action) && e['Before → after']?.includes(text));
  for (const [action, text] of [['field.created', FIELD.key], ['type.created', TYPE.name], ['type.field_added', FIELD.key]] as const) {
    const entry = find(action, text);
    t.ok(entry, `the audit log lists ${action} (${text})`, { entries });
    t.match(entry?.Who, ADMIN.name, 'by the admin');
  }
  await page.getByLabel('Action', { exact: true }).selectOption('field.created');
  await page.locator('main').getByRole('button', { name: 'Search', exact: true }).click();
  await page.waitForURL((url) => url.searchParams.get('action') === 'field.created');
  const filtered = await rows(page, 'table.audit');
  t.ok(filtered.length >= 1 && filtered.every((e) => e.What?.startsWith('field.created')), 'filtered by action: only field.created', { filtered });
}

if (browser) {
  for (const js of [false, true]) {
    const suffix = js ? 'js' : 'nojs';
    t.test(`admin builds a ticket type with a required dropdown; a customer submits it (${mode(js)})`, async (t) => {
      const session = await openSession(t, browser, js);
      const world: World = { session, suffix, ticket: { id: 0, subject: `CRM login fails (${mode(js)})` } };
      await createFirstAdmin(t, session);
      await checkHtmx(t, session);

      await flow(t, world, '1. admin creates the dropdown field (validation first)', (t) => createField(t, world));
      await flow(t, world, '2. admin creates the type and adds the field', (t) => createType(t, world));
      world.customer = await openCustomer(t, browser, session);
      await flow(t, world, '3. customer submits a ticket of the type', (t) => customerSubmits(t, world));
      if (!world.ticket.id) t.fail('no ticket was submitted');
      await flow(t, world, '4. the audit log lists the changes', (t) => audit(t, world));
      t.same(world.customer.problems.favicon, [], 'no favicon failure on the customer\'s pages');
      await world.customer.context.close();
      await finish(t, session);
    });
  }
}
