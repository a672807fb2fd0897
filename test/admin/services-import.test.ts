import t, { type Test } from 'tap';
import { nowIso } from '../../src/lib/time.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

/** An admin logged in; a customer Cora, an organisation Acme Ltd, a restricted provider group Fibre Co. */
async function servicesDesk(t: Test) {
  const desk = await buildTestDesk(t);
  const { db } = desk;
  const admin = await makeUser(db, 'admin');
  const cora = await makeUser(db, 'customer', { name: 'Cora', email: 'cora@customer.test' });
  const acme = await db.insertInto('organizations').values({ name: 'Acme Ltd', created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  const fibre = await db.insertInto('groups').values({ name: 'Fibre Co', is_restricted: 1, created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  const client = new Client(desk.app);
  await client.login(admin.email, PASSWORD);
  return { ...desk, admin, client, cora, acme: acme.id, fibre: fibre.id };
}

const services = (d: Awaited<ReturnType<typeof servicesDesk>>) =>
  d.db.selectFrom('services').select(['name', 'customer_id', 'organization_id', 'provider_group_id', 'state', 'starts_on', 'ends_on']).orderBy('id').execute();

/** The report's table row for one CSV line. */
const line = (html: string, n: number) => html.split('<tr id=').find((r) => r.startsWith(`"line-${n}"`)) ?? '';

t.test('a CSV import creates the good rows and reports the bad ones with their line and reasons', async (t) => {
  const d = await servicesDesk(t);
  const form = await d.client.get('/admin/services/import');
  t.equal(form.statusCode, 200);
  t.match(form.body, 'At most 2000 rows and 512 KB.');
  const csv = [
    'name,customer_email,organization,provider_group,state,starts_on,ends_on',
    'Fibre 500,cora@customer.test,,Fibre Co,active,2026-01-01,',
    'Office line,,acme ltd,fibre co,inactive,2025-01-01,2025-12-31',
    '',
    'Ghost,ghost@customer.test,,Fibre Co,active,,',
    'Both,cora@customer.test,Acme Ltd,Nobody Inc,paused,2026-13-01,',
    '"Quoted, with comma",cora@customer.test,,Fibre Co,,,',
    'Short row,cora@customer.test',
  ].join('\r\n');
  const report = await d.client.post('/admin/services/import', { csv });
  t.equal(report.statusCode, 200);
  t.match(report.body, '3 services created, 3 rows rejected.');
  t.match(line(report.body, 2), '>Fibre 500</a>');
  t.match(line(report.body, 3), '>Office line</a>');
  t.match(line(report.body, 7), '>Quoted, with comma</a>');
  t.match(line(report.body, 5), '<code>customer_email</code>: No customer has this email address.');
  const both = line(report.body, 6);
  t.match(both, '<code>organization</code>: Give either a customer or an organisation, not both.');
  t.match(both, '<code>provider_group</code>: No group has this name.');
  t.match(both, '<code>state</code>: Use active or inactive.');
  t.match(both, '<code>starts_on</code>: Enter a date as YYYY-MM-DD.');
  t.match(line(report.body, 8), 'This row has a different number of columns than the header.');

  t.same(await services(d), [
    { name: 'Fibre 500', customer_id: d.cora.id, organization_id: null, provider_group_id: d.fibre, state: 'active', starts_on: '2026-01-01', ends_on: null },
    { name: 'Office line', customer_id: null, organization_id: d.acme, provider_group_id: d.fibre, state: 'ended', starts_on: '2025-01-01', ends_on: '2025-12-31' },
    { name: 'Quoted, with comma', customer_id: d.cora.id, organization_id: null, provider_group_id: d.fibre, state: 'active', starts_on: null, ends_on: null },
  ]);
  const audit = await d.db.selectFrom('audit_log').select(['actor_id', 'action', 'details']).orderBy('id').execute();
  t.same(audit.map((a) => [a.actor_id, a.action, JSON.parse(a.details).line]), [[d.admin.id, 'service.created', 2], [d.admin.id, 'service.created', 3], [d.admin.id, 'service.created', 7]]);

  const again = await d.client.post('/admin/services/import', { csv });
  t.match(again.body, '0 services created, 6 rows rejected.', 'importing the same file twice creates nothing twice');
  t.match(line(again.body, 2), 'This service already exists for this customer or organisation.');
  t.equal((await services(d)).length, 3);

  const customer = new Client(d.app);
  await customer.login(d.cora.email, PASSWORD);
  const portal = await customer.get('/portal/tickets/new');
  t.match(portal.body, 'Fibre 500', 'an imported active service is offered to its customer');
});

t.test('a file that cannot be imported as a whole is refused on the form, kept for fixing', async (t) => {
  const d = await servicesDesk(t);
  await d.client.get('/admin/services/import');
  const cases: [string, string][] = [
    ['', 'This field is required.'],
    ['Fibre 500,cora@customer.test,,Fibre Co', 'The first row must name the columns'],
    ['name,customer_email,provider_group,colour\nX,cora@customer.test,Fibre Co,red', 'The first row must name the columns'],
    ['name,state\nX,active', 'The first row must name the columns'],
    ['name,customer_email,provider_group\n', 'The file has a header row but no services.'],
    ['name,customer_email,provider_group\n"Unclosed,cora@customer.test,Fibre Co', 'This is not readable CSV'],
    [`name,customer_email,provider_group\n${'X,cora@customer.test,Fibre Co\n'.repeat(2001)}`, 'The file has too many rows'],
    [`name,customer_email,provider_group\n${'x'.repeat(600 * 1024)}`, 'The file is too large'],
  ];
  for (const [csv, message] of cases) {
    const res = await d.client.post('/admin/services/import', { csv });
    t.equal(res.statusCode, 422, message);
    t.match(res.body, `id="f-csv-error">${message}`);
  }
  const kept = await d.client.post('/admin/services/import', { csv: 'name;customer;provider' });
  t.match(kept.body, '>name;customer;provider</textarea>', 'the pasted text is kept');
  t.equal((await d.db.selectFrom('services').select('id').execute()).length, 0);
  t.equal((await d.client.post('/admin/services/import', { csv: 'x'.repeat(1100 * 1024) })).statusCode, 413, 'beyond the form limit');
});
