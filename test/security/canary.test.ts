// The canary: a string written into every staff-only thing (notes and their files, internal field
// values, an internal ticket, restricted groups' names, organisation notes, video calls) must reach no
// customer: no page, no fragment, no search result, no live stream, no email. Staff do see it, so
// this test can fail.
import t, { type Test } from 'tap';
import { simpleParser } from 'mailparser';
import type { LightMyRequestResponse } from 'fastify';
import { openStream } from '../chat/helpers.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import type { Client } from '../helpers/client.js';
import { makeCcs } from '../helpers/factories.js';
import { paramKind } from './expectations.js';
import { Client as Browser } from '../helpers/client.js';
import { PASSWORD } from '../helpers/factories.js';
import { totpAt } from '../../src/auth/totp.js';
import { rebuildReports } from '../../src/reports/rebuild.js';
import { buildWorld, CANARY, CUSTOMERS, VARIANTS, type World } from './world.js';

// Thousands of customer requests in each walk: slow on PostgreSQL on a busy machine.
t.setTimeout(300_000);

const HTMX_VARIANTS: Record<string, Record<string, string>> = {
  'plain': {},
  'boosted': { 'HX-Request': 'true', 'HX-Request-Type': 'full' },
  'partial': { 'HX-Request': 'true', 'HX-Request-Type': 'partial' },
};

function leaks(response: LightMyRequestResponse): boolean {
  return response.body.includes(CANARY) || JSON.stringify(response.headers).includes(CANARY);
}

/** Every GET path of the app, its id filled with A's, B's and a missing id (the streams are read on a real server below). */
function getPaths(world: World): string[] {
  const urls = [...new Set(world.routes.filter((r) => r.method === 'GET' && !r.url.endsWith('/live')).map((r) => r.url))];
  const ids = world.ids as unknown as Record<string, Record<string, number>>;
  const missing = world.missing as Record<string, number>;
  return [...new Set(urls.flatMap((url) => VARIANTS.map((variant) => url.replace(/:(\w+)|\*/g, (_m, name: string | undefined) => {
    const kind = paramKind(url, name ?? '*');
    if (kind === 'filename') return `${variant === 'b' ? 'b' : 'a'}.txt`;
    if (!ids[kind]) return kind;
    return String(variant === 'missing' ? missing[kind] : ids[kind]![variant]);
  }))))];
}

/** The values the edit form would send as it stands. */
function formValues(html: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const m of html.matchAll(/<input [^>]*>/g)) {
    const name = /name="([^"]+)"/.exec(m[0])?.[1];
    if (!name || (/type="(checkbox|radio|file)"/.test(m[0]) && !/ checked/.test(m[0]))) continue;
    values[name] = /value="([^"]*)"/.exec(m[0])?.[1] ?? '';
  }
  for (const m of html.matchAll(/<select [^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    values[m[1]!] = /<option value="([^"]*)"[^>]*selected/.exec(m[2]!)?.[1] ?? '';
  }
  for (const m of html.matchAll(/<textarea [^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) values[m[1]!] = m[2]!;
  return values;
}

/** Staff write more canaries on A's ticket: a note, and a change of the internal field. */
async function staffWriteCanaries(t: Test, world: World, agent: Client, round: string) {
  const a = world.ids.ticket.a;
  t.equal((await agent.post(`/agent/tickets/${a}/messages`, { kind: 'note', body: `${CANARY} ${round} note` })).statusCode, 303, 'the agent adds a note');
  const form = formValues((await agent.get(`/agent/tickets/${a}/edit`)).body);
  t.ok('field_internal_code' in form, 'the edit form has the internal field');
  const changed = await agent.post(`/agent/tickets/${a}/edit`, { ...form, priority: 'high', field_internal_code: `${CANARY} ${round} field` });
  t.equal(changed.statusCode, 303, 'and changes the internal field');
  // A staff-only macro applied (it writes a note): its text goes no further than the note.
  const applied = await agent.post(`/agent/tickets/${a}/macro`, { kind: 'reply', body: '', tab: 'general', macroChoice: String(world.ids.macro.a), macroAction: 'apply' });
  t.match(applied.body, `${CANARY} macro text`, 'the agent applies a macro');
  t.equal((await agent.post(`/agent/tickets/${a}/messages`, { kind: 'note', body: `${CANARY} ${round} macro`, macroId: String(world.ids.macro.a) })).statusCode, 303, 'and sends it');
}

t.test('no customer page, fragment or search result carries the canary; staff pages do', async (t) => {
  const world = await buildWorld(t);
  // Searches for parts of the canary (the whole of it would be echoed back in the search box).
  const paths = [...getPaths(world), '/portal/tickets?q=b41d-staffonly', '/portal/tickets?q=CANARY', '/portal?q=b41d-staffonly',
    `/portal/tickets?q=b41d&page=1`,
    // The internal ticket the customer is the requester of, on every ticket page.
    ...[...new Set(world.routes.filter((r) => r.method === 'GET' && /^\/(portal|agent)\/tickets\/:id/.test(r.url) && !r.url.endsWith('/live')).map((r) => r.url))]
      .map((url) => url.replace(':id', String(world.ids.ticket.internal))),
    `/attachments/${world.ids.attachment.noteA}/${CANARY}.txt`,
    // Reports (issue 21) name groups and tags and export subjects: staff only.
    // (The fixtures' tickets are from January 2026.)
    ...['/agent/reports?by=group', '/agent/reports?by=tag', '/agent/reports/tickets.csv?', '/agent/reports/table.csv?table=times&by=tag']
      .map((path) => `${path}${path.endsWith('?') ? '' : '&'}from=2026-01-01&to=2026-01-31`),
    // The help center (issue 23; test/security/help-canary.test.ts walks it as customers and visitors): the draft, a search.
    `/help/articles/${world.ids.article.draft}`, '/help/search?q=b41d-staffonly'];
  await rebuildReports(world.db);
  const leaked: string[] = [];
  let checked = 0;
  for (const actor of CUSTOMERS) {
    for (const path of paths) {
      for (const [variant, headers] of Object.entries(HTMX_VARIANTS)) {
        // The API answers JSON whatever htmx asks (its own walk, with tokens, is below).
        if (path.startsWith('/api/') && variant !== 'plain') continue;
        if (actor === 'colleagueUnshared') await world.setSharing(false);
        const response = await world.clients[actor].get(path, headers);
        if (actor === 'colleagueUnshared') await world.setSharing(true);
        checked++;
        if (leaks(response)) leaked.push(`${actor} ${variant} ${path} (${response.statusCode})`);
      }
    }
  }
  for (const line of leaked) t.comment(line);
  t.equal(leaked.length, 0, `${checked} customer responses, none with the canary`);

  const agent = world.clients.agent;
  const a = world.ids.ticket.a;
  t.match((await agent.get(`/agent/tickets/${a}?tab=internal`)).body, `${CANARY} note on A`, 'the agent sees the note');
  t.match((await agent.get(`/agent/tickets/${a}`)).body, `${CANARY} internal field`, 'and the internal field');
  t.match((await agent.get(`/agent/tickets/${a}`)).body, `<a href="/agent/tickets?tag=${CANARY}">${CANARY}</a>`, 'and the ticket\'s tag (tags are staff-only)');
  t.match((await agent.get(`/agent/tickets/${world.ids.ticket.internal}`)).body, `${CANARY} internal subject`, 'and the internal ticket');
  t.match((await agent.get(`/agent/tickets/${a}`)).body, `Policy: ${CANARY} policy`, 'and the ticket\'s SLA policy (SLA is staff-only)');
  t.match((await agent.get('/agent/macros')).body, `${CANARY} macro`, 'and their macros (staff-only)');
  t.match((await agent.get(`/agent/tickets/${a}/macros/preview?macroChoice=${world.ids.macro.a}`)).body, `${CANARY} macro text`, 'and a macro\'s preview');
  t.match((await agent.get(`/agent/macro-files/${world.ids.macroFile.a}/${CANARY}.txt`)).body, `${CANARY} macro file`, 'and their macro\'s file');
  t.equal((await agent.get(`/attachments/${world.ids.attachment.noteA}/${CANARY}.txt`)).statusCode, 200, 'and the note\'s file');
  const supervisor = world.clients.supervisor;
  t.match((await supervisor.get('/agent/reports?by=tag&from=2026-01-01&to=2026-01-31')).body, CANARY, 'a supervisor\'s report names the staff-only tag');
  t.match((await supervisor.get('/agent/reports/tickets.csv?from=2026-01-01&to=2026-01-31')).body, `${CANARY} internal subject`, 'and exports the internal ticket');
  t.equal((await world.clients.customer.get(`/portal/tickets/${a}`)).statusCode, 200, 'while the customer does see the ticket itself');
  const internal = world.ids.ticket.internal;
  for (const action of ['replies', 'chat', 'solve', 'ccs']) {
    const response = await world.clients.customer.post(`/portal/tickets/${internal}/${action}`, { body: 'hello', email: 'x@acme.test' });
    t.equal(response.statusCode, 404, `the requester cannot post to their internal ticket (${action})`);
  }
});

t.test('a restricted agent\'s lists, searches and offers show nothing of tickets outside their groups', async (t) => {
  const world = await buildWorld(t);
  const rex = world.clients.restrictedAgent;
  for (const path of ['/agent', '/agent/tickets', '/agent/tickets?q=Ann', '/agent/tickets?q=printer', '/agent/offers', '/agent/views/menu', '/agent/tickets?view=all']) {
    for (const headers of Object.values(HTMX_VARIANTS)) {
      const response = await rex.get(path, headers);
      t.equal(response.statusCode, 200);
      t.notMatch(response.body, 'Ann printer jam', `${path} ${JSON.stringify(headers)}: not A's ticket`);
    }
  }
  t.match((await rex.get('/agent/tickets?view=all')).body, 'Bea lost badge', 'but B\'s, in their group');
  t.match((await world.clients.agent.get('/agent/tickets?view=all')).body, 'Ann printer jam', 'while an unrestricted agent sees A\'s');
});

t.test('the live stream of a customer carries no staff-only change', async (t) => {
  const world = await buildWorld(t);
  await world.app.listen({ port: 0, host: '127.0.0.1' });
  const address = world.app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const a = world.ids.ticket.a;
  const streams = { customer: await openStream(t, base, `/portal/tickets/${a}/live`, world.clients.customer),
    colleague: await openStream(t, base, `/portal/tickets/${a}/live`, world.clients.colleague) };
  const staffStream = await openStream(t, base, `/agent/tickets/${a}/live`, world.clients.agent);
  for (const stream of Object.values(streams)) t.equal(stream.status, 200);

  await staffWriteCanaries(t, world, world.clients.agent, 'live');
  t.equal((await world.clients.agent.post(`/agent/tickets/${a}/chat`, { body: 'Chat line after the notes' })).statusCode, 303);
  for (const [who, stream] of Object.entries(streams)) {
    t.ok(await stream.waitFor(/Chat line after the notes/), `${who}'s stream is alive (the chat line arrived)`);
  }
  t.ok(await staffStream.waitFor(/Chat line after the notes/), 'the staff stream too');
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (const [who, stream] of Object.entries(streams)) t.notMatch(stream.text(), CANARY, `${who}'s stream never carries the canary`);
});

t.test('no email a customer receives carries the canary', async (t) => {
  const smtp = new TestSmtpServer();
  await smtp.start(0);
  t.teardown(() => smtp.stop());
  const world = await buildWorld(t, { smtpUrl: `smtp://127.0.0.1:${smtp.port}`, mailDomain: 'mail.desk.test' });
  const agent = world.clients.agent;
  const a = world.ids.ticket.a;
  await makeCcs(world.db, a, world.users.otherCustomer.id);

  await staffWriteCanaries(t, world, agent, 'mail');
  t.equal((await agent.post(`/agent/tickets/${a}/messages`, { kind: 'reply', body: 'A public answer' })).statusCode, 303, 'a public reply');
  t.equal((await agent.post(`/agent/tickets/${a}/chat`, { body: 'A chat line' })).statusCode, 303, 'a chat line');
  t.equal((await agent.post(`/agent/tickets/${a}/status`, { statusId: '4' })).statusCode, 303, 'the ticket is solved');
  t.equal((await world.clients.customer.post(`/portal/tickets/${a}/replies`, { body: 'Thanks' })).statusCode, 303, 'the customer answers');
  // The chat digest waits for a quiet period: bring its jobs forward, then run everything.
  await world.db.updateTable('jobs').set({ run_at: new Date(0).toISOString() }).where('state', '=', 'queued').execute();
  await world.app.worker.drain();

  const customers = new Set([world.users.customer.email, world.users.colleague.email, world.users.otherCustomer.email]);
  const toCustomers = smtp.received.filter((mail) => mail.to.some((address) => customers.has(address)));
  t.ok(toCustomers.length >= 2, `${toCustomers.length} mails reached customers`);
  for (const mail of toCustomers) {
    const parsed = await simpleParser(mail.raw);
    const text = [mail.raw, parsed.subject, parsed.text, parsed.html].join('\n');
    t.notMatch(text, CANARY, `the mail "${parsed.subject}" to ${mail.to.join(', ')} has no canary`);
  }
});

t.test('merging and splitting never bring an internal note (or an internal ticket) to a customer', async (t) => {
  const world = await buildWorld(t);
  const agent = world.clients.agent;
  const { a, b, internal } = world.ids.ticket;
  await staffWriteCanaries(t, world, agent, 'merge');
  await agent.get(`/agent/tickets/${b}`);
  const refused = await agent.post(`/agent/tickets/${a}/merge`, { other: String(internal) });
  t.equal(refused.statusCode, 422, 'an internal ticket is not merged into a public one');
  t.equal((await agent.post(`/agent/tickets/${b}/merge`, { other: String(a) })).statusCode, 303, 'A is merged into B');
  const note = await world.db.selectFrom('messages').select('id').where('ticket_id', '=', b).where('kind', '=', 'note').orderBy('id').executeTakeFirstOrThrow();
  const split = await agent.post(`/agent/tickets/${b}/split`, { messageId: String(note.id) });
  t.equal(split.statusCode, 303, 'a note is split off');
  const created = Number(/(\d+)$/.exec(String(split.headers.location))?.[1]);
  t.equal((await world.clients.customer.get(`/portal/tickets/${a}`)).headers.location, `/portal/tickets/${b}`, 'A\'s requester lands on B');
  t.match((await world.clients.customer.get(`/portal/tickets/${b}`)).body, 'Ann: the printer jams', 'where A\'s conversation is');
  t.match((await agent.get(`/agent/tickets/${b}?tab=internal`)).body, `${CANARY} merge note`, 'staff still read the notes on B');

  const paths = [`/portal/tickets/${a}`, `/portal/tickets/${b}`, `/portal/tickets/${created}`, '/portal/tickets', '/portal',
    '/portal/tickets?q=b41d-staffonly', `/attachments/${world.ids.attachment.noteA}/${CANARY}.txt`];
  const leaked: string[] = [];
  for (const actor of CUSTOMERS) {
    for (const path of paths) {
      for (const headers of Object.values(HTMX_VARIANTS)) {
        const response = await world.clients[actor].get(path, headers);
        if (leaks(response)) leaked.push(`${actor} ${path} (${response.statusCode})`);
      }
    }
  }
  for (const line of leaked) t.comment(line);
  t.equal(leaked.length, 0, 'no customer page after the merge and the split carries the canary');

  await world.app.worker.consume();
  const customers = new Set([world.users.customer.email, world.users.colleague.email, world.users.otherCustomer.email]);
  const mails = (await world.db.selectFrom('jobs').select('payload').where('kind', '=', 'mail').execute())
    .map((j) => j.payload).filter((payload) => (JSON.parse(payload) as { to: string[] }).to.some((to) => customers.has(to)));
  t.ok(mails.length >= 1, 'the merged ticket\'s requester was mailed its note');
  for (const payload of mails) t.notMatch(payload, CANARY, 'no mail to a customer carries the canary');
});

t.test('a customer\'s two-factor pages and second sign-in step carry no canary (issue 24)', async (t) => {
  const world = await buildWorld(t);
  const ann = world.clients.customer;
  await ann.get('/account');
  t.equal((await ann.post('/account/two-factor/setup')).statusCode, 303);
  const setup = await ann.get('/account/two-factor');
  const secret = /<code id="two-factor-secret">([A-Z2-7 ]+)<\/code>/.exec(setup.body)![1]!.replace(/ /g, '');
  const codes = await ann.post('/account/two-factor/confirm', { code: totpAt(secret, Date.now()) });
  t.equal(codes.statusCode, 200, 'two-factor is on');
  const browser = new Browser(world.app);
  await browser.get('/login');
  t.equal((await browser.post('/login', { email: world.users.customer.email, password: PASSWORD })).headers.location, '/login/two-factor');
  const step = await browser.get('/login/two-factor');
  const signedIn = await browser.post('/login/two-factor', { code: totpAt(secret, Date.now() + 30_000) });
  t.equal(signedIn.statusCode, 303, 'the customer signs in with a code');
  const responses = { setup, codes, step, home: await browser.get('/portal'), account: await browser.get('/account/two-factor') };
  for (const [name, response] of Object.entries(responses)) t.notOk(leaks(response), `${name} (${response.statusCode}) has no canary`);
});

// Snooze and the recycle bin (issue 20).
t.test('a snoozed ticket says nothing of it to customers; a binned one is gone from every customer page; the bin is the admins\'', async (t) => {
  const world = await buildWorld(t);
  const a = world.ids.ticket.a;
  const agent = world.clients.agent;
  await agent.get(`/agent/tickets/${a}`);
  t.equal((await agent.post(`/agent/tickets/${a}/snooze`, { preset: 'tomorrow' })).statusCode, 303, 'the agent snoozes A');
  for (const actor of ['customer', 'colleague'] as const) {
    const page = await world.clients[actor].get(`/portal/tickets/${a}`);
    t.equal(page.statusCode, 200);
    t.notMatch(page.body, /snooz/i, `${actor}: nothing of the snooze`);
  }
  const admin = world.clients.admin;
  await admin.get(`/agent/tickets/${a}/delete`);
  t.equal((await admin.post(`/agent/tickets/${a}/delete`)).statusCode, 303, 'the admin deletes A: into the bin');
  await admin.get(`/agent/tickets/${world.ids.ticket.internal}/delete`);
  t.equal((await admin.post(`/agent/tickets/${world.ids.ticket.internal}/delete`)).statusCode, 303, 'and the internal ticket');
  const leaked: string[] = [];
  let checked = 0;
  for (const actor of CUSTOMERS) {
    for (const path of [...getPaths(world), '/portal/tickets?q=Ann', '/portal/tickets?q=printer']) {
      if (actor === 'colleagueUnshared') await world.setSharing(false);
      const response = await world.clients[actor].get(path);
      if (actor === 'colleagueUnshared') await world.setSharing(true);
      checked++;
      if (leaks(response) || response.body.includes('Ann printer jam')) leaked.push(`${actor} ${path} (${response.statusCode})`);
    }
  }
  for (const line of leaked) t.comment(line);
  t.equal(leaked.length, 0, `${checked} customer responses, none with the binned tickets or the canary`);
  t.equal((await world.clients.customer.get(`/portal/tickets/${a}`)).statusCode, 404, 'A\'s page is gone for its requester');
  for (const actor of [...CUSTOMERS, 'agent', 'supervisor'] as const) {
    const bin = await world.clients[actor].get('/admin/bin');
    t.equal(bin.statusCode, 403, `${actor}: no bin`);
    t.notMatch(bin.body, 'Ann printer jam');
  }
  const bin = await admin.get('/admin/bin');
  t.match(bin.body, 'Ann printer jam', 'the admin finds A in the bin');
  t.match(bin.body, `${CANARY} internal subject`, 'and the internal ticket');
});

// The JSON API (issue 22): every GET under /api with each customer's own token.
t.test('no API answer to a customer\'s token carries the canary; staff tokens do read it', async (t) => {
  const world = await buildWorld(t);
  const apiPaths = [...getPaths(world).filter((path) => path.startsWith('/api/')),
    `/api/v1/tickets/${world.ids.ticket.internal}`, `/api/v1/tickets/${world.ids.ticket.internal}/messages`,
    '/api/v1/tickets?q=b41d-staffonly', '/api/v1/tickets?q=staffonly', '/api/v1/search?q=staffonly', '/api/v1/search?q=CANARY',
    `/api/v1/attachments/${world.ids.attachment.noteA}`];
  t.ok(apiPaths.length > 30, `${apiPaths.length} API paths`);
  const leaked: string[] = [];
  for (const actor of CUSTOMERS) {
    for (const path of apiPaths) {
      if (actor === 'colleagueUnshared') await world.setSharing(false);
      const response = await world.app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${world.tokens[actor]}` } });
      if (actor === 'colleagueUnshared') await world.setSharing(true);
      if (response.statusCode >= 500 || leaks(response)) leaked.push(`${actor} ${path} (${response.statusCode})`);
    }
  }
  for (const line of leaked) t.comment(line);
  t.equal(leaked.length, 0, 'no customer\'s API answer has the canary (nor a server error)');

  const asAgent = (url: string) => world.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${world.tokens.agent}` } });
  const a = world.ids.ticket.a;
  t.match((await asAgent(`/api/v1/tickets/${a}/messages`)).body, `${CANARY} note on A`, 'the agent reads the note');
  t.match((await asAgent(`/api/v1/tickets/${a}`)).body, `${CANARY} internal field`, 'and the internal field');
  t.match((await asAgent(`/api/v1/tickets/${world.ids.ticket.internal}`)).body, `${CANARY} internal subject`, 'and the internal ticket');
  t.equal((await asAgent(`/api/v1/attachments/${world.ids.attachment.noteA}`)).statusCode, 200, 'and the note\'s file');
  t.equal((await world.app.inject({ method: 'GET', url: `/api/v1/tickets/${a}`, headers: { authorization: `Bearer ${world.tokens.customer}` } })).statusCode, 200,
    'while the customer does read the ticket itself');
});

// Webhooks (issue 22): the subscriptions and their delivery log (which holds what was sent, notes
// included) are the admins'. Nobody else reaches them, and no customer sees a trace of them.
t.test('the webhook pages and their delivery log are the admins\' alone', async (t) => {
  const world = await buildWorld(t);
  const paths = ['/admin/webhooks', '/admin/webhooks/new', `/admin/webhooks/${world.ids.webhook.a}`, `/admin/webhooks/deliveries/${world.ids.webhookDelivery.a}`];
  for (const actor of [...CUSTOMERS, 'agent', 'restrictedAgent', 'supervisor'] as const) {
    for (const path of paths) {
      const response = await world.clients[actor].get(path);
      t.equal(response.statusCode, 403, `${actor}: ${path} is refused`);
      t.notOk(leaks(response), `${actor}: ${path} has no canary`);
    }
    await world.clients[actor].get('/agent');
    const redeliver = await world.clients[actor].post(`/admin/webhooks/deliveries/${world.ids.webhookDelivery.a}/redeliver`);
    t.equal(redeliver.statusCode, 403, `${actor}: may not redeliver`);
  }
  t.equal((await world.db.selectFrom('webhook_deliveries').select('id').execute()).length, 2, 'nothing was redelivered');
  const admin = world.clients.admin;
  t.match((await admin.get('/admin/webhooks')).body, `${CANARY} webhook`, 'the admin sees the subscriptions');
  t.match((await admin.get(`/admin/webhooks/deliveries/${world.ids.webhookDelivery.a}`)).body, `${CANARY} note delivered`, 'and what a delivery sent');
  t.notMatch(await admin.page(`/admin/webhooks/${world.ids.webhook.a}`), `${CANARY}-secret`, 'but never a signing secret');
});

t.test('a trigger\'s internal note and its run log reach staff only', async (t) => {
  const world = await buildWorld(t);
  const a = world.ids.ticket.a;
  const customer = world.clients.customer;
  await customer.get(`/portal/tickets/${a}`);
  t.equal((await customer.post(`/portal/tickets/${a}/replies`, { body: 'Any news?' })).statusCode, 303, 'the customer replies');
  await world.app.worker.drain();
  const agent = world.clients.agent;
  t.match((await agent.get(`/agent/tickets/${a}?tab=internal`)).body, `${CANARY} trigger note`, 'the trigger wrote its note');
  t.match((await agent.get(`/agent/tickets/${a}?tab=history`)).body, `${CANARY} trigger`, 'and the History tab names the trigger');
  t.match((await world.clients.admin.get('/admin/triggers')).body, `${CANARY} trigger`, 'admins see it in the list');
  for (const path of [`/portal/tickets/${a}`, '/portal/tickets', '/portal']) {
    t.notMatch(await customer.page(path), CANARY, `the customer does not: ${path}`);
  }
});

// Webhooks through the API (issue 22): the same rule as the pages, and the signing secret never in a listing.
t.test('the webhook API is the admins\' alone, and never shows a signing secret', async (t) => {
  const world = await buildWorld(t);
  const paths = ['/api/v1/webhooks', `/api/v1/webhooks/${world.ids.webhook.a}`, `/api/v1/webhooks/${world.ids.webhook.a}/deliveries`,
    `/api/v1/webhooks/deliveries/${world.ids.webhookDelivery.a}`];
  const as = (actor: keyof typeof world.tokens, method: string, url: string) => world.app.inject({
    method: method as 'GET', url, headers: { authorization: `Bearer ${world.tokens[actor]}`, ...(method === 'GET' ? {} : { 'content-type': 'application/json' }) },
    ...(method === 'GET' ? {} : { payload: '{}' }),
  });
  for (const actor of [...CUSTOMERS, 'agent', 'restrictedAgent', 'supervisor'] as const) {
    for (const path of paths) {
      const response = await as(actor, 'GET', path);
      t.equal(response.statusCode, 403, `${actor}: ${path} is refused`);
      t.notOk(leaks(response), `${actor}: ${path} has no canary`);
    }
    t.equal((await as(actor, 'POST', `/api/v1/webhooks/deliveries/${world.ids.webhookDelivery.a}/redeliver`)).statusCode, 403, `${actor}: may not redeliver`);
    t.equal((await as(actor, 'DELETE', `/api/v1/webhooks/${world.ids.webhook.a}`)).statusCode, 403, `${actor}: may not delete`);
  }
  t.equal((await world.db.selectFrom('webhook_deliveries').select('id').execute()).length, 2, 'nothing was redelivered');
  t.equal((await world.db.selectFrom('webhook_subscriptions').select('id').execute()).length, 2, 'nothing was deleted');
  let all = '';
  for (const path of paths) {
    const response = await as('admin', 'GET', path);
    t.equal(response.statusCode, 200, `the admin reads ${path}`);
    all += response.body;
  }
  t.match(all, `${CANARY} webhook`, 'the admin reads the subscriptions');
  t.match(all, `${CANARY} note delivered`, 'and the delivery log');
  t.notMatch(all, `${CANARY}-secret`, 'but never a signing secret');
});

// A person's sign-in methods (issue 24): the names of their passkeys and their accounts at single
// sign-on providers are on their admin page, for admins only; removing and unlinking are theirs too.
t.test('a person\'s passkeys and single sign-on links reach admins only', async (t) => {
  const world = await buildWorld(t);
  const { db, users, ids } = world;
  const now = new Date().toISOString();
  const key = await db.insertInto('passkeys').values({ user_id: users.agent.id, credential_id: 'credential-agent', public_key: 'AAAA',
    name: `${CANARY} key`, created_at: now, last_used_at: null }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('sso_identities').values({ provider_id: ids.ssoProvider.a, subject: `${CANARY}-subject`, user_id: users.agent.id, created_at: now, last_used_at: null }).execute();
  const page = `/admin/users/${users.agent.id}`;
  const remove = `${page}/passkeys/${key.id}/delete`;
  const unlink = `${page}/sso/${ids.ssoProvider.a}/unlink`;

  for (const actor of [...CUSTOMERS, 'agent', 'restrictedAgent', 'supervisor'] as const) {
    const client = world.clients[actor];
    const response = await client.get(page);
    t.equal(response.statusCode, 403, `${actor}: the person's page is refused`);
    t.notOk(leaks(response), `${actor}: and shows no canary`);
    await client.get('/account');
    t.equal((await client.post(remove)).statusCode, 403, `${actor}: may not remove the passkey`);
    t.equal((await client.post(unlink)).statusCode, 403, `${actor}: may not unlink`);
  }
  for (const actor of CUSTOMERS) {
    for (const path of ['/account', '/account/passkeys', '/portal']) t.notOk(leaks(await world.clients[actor].get(path)), `${actor}: ${path} has no canary`);
  }
  t.equal((await db.selectFrom('passkeys').select('id').where('id', '=', key.id).execute()).length, 1, 'the passkey is still there');
  t.equal((await db.selectFrom('sso_identities').select('subject').where('user_id', '=', users.agent.id).execute()).length, 1, 'and the link');

  const admin = world.clients.admin;
  const shown = await admin.page(page);
  t.match(shown, `${CANARY} key`, 'the admin sees the passkey');
  t.match(shown, `${CANARY}-subject`, 'and the account at the provider');
  t.equal((await admin.post(remove)).statusCode, 303, 'the admin removes the passkey');
  t.equal((await admin.post(unlink)).statusCode, 303, 'and unlinks the provider');
  t.notMatch(await admin.page(page), CANARY, 'both are gone from the page');
  const audit = await db.selectFrom('audit_log').select('action').where('subject_id', '=', users.agent.id)
    .where('action', 'in', ['user.passkeyRemoved', 'user.ssoUnlinked']).orderBy('id').execute();
  t.same(audit.map((row) => row.action), ['user.passkeyRemoved', 'user.ssoUnlinked'], 'both audited');
});
