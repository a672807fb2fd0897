// A small desk with one of everything, twice (A's and B's), for the authorisation matrix and the
// canary walk. Customer A's things sit in a restricted group the restricted agent is NOT in; customer
// B's things (another organisation) sit in the restricted agent's own group.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Test } from 'tap';
import type { RouteOptions } from 'fastify';
import { storagePath } from '../../src/attachments/store.js';
import type { Config } from '../../src/config.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeMessage, makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';
import { createApiToken } from '../../src/api/tokens.js';

/** Written into everything a customer must never see. */
export const CANARY = 'CANARY-b41d-staffonly';

export const ACTORS = ['anonymous', 'customer', 'colleague', 'colleagueUnshared', 'otherCustomer', 'agent', 'restrictedAgent', 'supervisor', 'admin'] as const;
export type ActorName = typeof ACTORS[number];
export const CUSTOMERS: readonly ActorName[] = ['customer', 'colleague', 'colleagueUnshared', 'otherCustomer'];
export const STAFF: readonly ActorName[] = ['agent', 'restrictedAgent', 'supervisor', 'admin'];

/** Which object a route's parameters point at: A's, B's, or an id next to them that does not exist. */
export const VARIANTS = ['a', 'b', 'missing'] as const;
export type Variant = typeof VARIANTS[number];

const now = () => new Date().toISOString();
const PNG_HEAD = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export async function buildWorld(t: Test, overrides: Partial<Config> = {}) {
  const routes: { method: string; url: string }[] = [];
  const onRoute = (route: RouteOptions) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  };
  const desk = await buildTestDesk(t, overrides, {}, { onRoute });
  const { db, app, config } = desk;
  /** A file in the uploads directory, and the columns its row needs. */
  const storeFile = (storageKey: string, content: string | Buffer) => {
    const path = storagePath(config.uploadsDir, storageKey);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    return { size: Buffer.byteLength(content), sha256: '0'.repeat(64), storage_key: storageKey, created_at: now() };
  };

  const [orgA, orgB] = await db.insertInto('organizations').values([
    { name: 'Acme', domains: 'acme.test', members_see_all_tickets: 1, notes: `${CANARY} org notes`, created_at: now() },
    { name: 'Bolt', domains: 'bolt.test', members_see_all_tickets: 0, notes: `${CANARY} org notes`, created_at: now() },
  ]).returning('id').execute();
  const [groupMine, groupOther] = await db.insertInto('groups').values([
    { name: `Provider East ${CANARY}`, description: `${CANARY} group`, is_restricted: 1, created_at: now() },
    { name: `Provider West ${CANARY}`, description: `${CANARY} group`, is_restricted: 1, created_at: now() },
  ]).returning('id').execute();

  const users = {
    customer: await makeUser(db, 'customer', { email: 'ann@acme.test', name: 'Ann Acme', organizationId: orgA!.id }),
    colleague: await makeUser(db, 'customer', { email: 'carl@acme.test', name: 'Carl Acme', organizationId: orgA!.id }),
    otherCustomer: await makeUser(db, 'customer', { email: 'bea@bolt.test', name: 'Bea Bolt', organizationId: orgB!.id }),
    agent: await makeUser(db, 'agent', { email: 'kim@desk.test', name: 'Kim Agent' }),
    restrictedAgent: await makeUser(db, 'agent', { email: 'rex@east.test', name: 'Rex Provider' }),
    supervisor: await makeUser(db, 'supervisor', { email: 'sue@desk.test', name: 'Sue Supervisor' }),
    admin: await makeUser(db, 'admin', { email: 'ada@desk.test', name: 'Ada Admin' }),
  };
  await db.insertInto('group_members').values([
    { group_id: 1, user_id: users.agent.id },
    { group_id: groupMine!.id, user_id: users.restrictedAgent.id },
  ]).execute();

  const field = await db.insertInto('fields').values([
    { key: 'internal_code', label: 'Internal code', kind: 'text', customer_visible: 0, required_before_category: null, retired_at: null, created_at: now() },
    { key: 'order_ref', label: 'Order reference', kind: 'text', customer_visible: 1, required_before_category: null, retired_at: null, created_at: now() },
  ]).returning('id').execute();
  await db.insertInto('ticket_type_fields').values(field.map((f, i) => ({ type_id: 1, field_id: f.id, position: i }))).execute();
  const [typeB] = await db.insertInto('ticket_types').values({ name: 'Repair', description: '', default_group_id: 1, retired_at: null, created_at: now() }).returning('id').execute();
  const [brandB] = await db.insertInto('brands').values({ name: 'Second', from_name: 'Second', from_address: 'second@desk.test', portal_title: 'Second', colour: null, created_at: now() }).returning('id').execute();

  // A cancelled category, so the cancel pages exist (the Simple preset has none).
  await db.insertInto('statuses').values({ name: 'Cancelled', customer_label: 'Cancelled', category: 'cancelled', position: 5, is_default_for_category: 1, retired_at: null }).execute();
  const [ticketA] = await makeTickets(db, 1, { requesterId: users.customer.id, organizationId: orgA!.id, groupId: groupOther!.id, subject: 'Ann printer jam' });
  const [ticketB] = await makeTickets(db, 1, { requesterId: users.otherCustomer.id, organizationId: orgB!.id, groupId: groupMine!.id, subject: 'Bea lost badge' });
  // An internal ticket with the customer as requester: staff-only, subject and all.
  const [internal] = await makeTickets(db, 1, { requesterId: users.customer.id, organizationId: orgA!.id, visibility: 'internal', subject: `${CANARY} internal subject` });
  const tickets = { a: ticketA!, b: ticketB!, internal: internal! };

  const attachments: Record<'a' | 'b' | 'noteA', number> = { a: 0, b: 0, noteA: 0 };
  for (const [key, ticketId, author, kind, body] of [
    ['a', tickets.a, users.customer.id, 'reply', 'Ann: the printer jams'],
    ['noteA', tickets.a, users.agent.id, 'note', `${CANARY} note on A`],
    ['b', tickets.b, users.otherCustomer.id, 'reply', 'Bea: badge gone'],
    [null, tickets.b, users.agent.id, 'note', `${CANARY} note on B`],
    [null, tickets.internal, users.agent.id, 'reply', `${CANARY} reply on an internal ticket`],
  ] as const) {
    const message = await makeMessage(db, ticketId, { authorId: author, kind, text: body, at: now() });
    if (!key) continue;
    const file = storeFile((key === 'a' ? 'aa' : key === 'b' ? 'bb' : 'cc').repeat(16), key === 'noteA' ? `${CANARY} file` : `file of ${key}`);
    const row = await db.insertInto('attachments').values({
      message_id: message, uploader_id: author, filename: key === 'noteA' ? `${CANARY}.txt` : `${key}.txt`, content_type: 'text/plain', ...file,
    }).returning('id').executeTakeFirstOrThrow();
    attachments[key] = row.id;
  }
  await db.insertInto('ticket_field_values').values([
    { ticket_id: tickets.a, field_id: field[0]!.id, value: `${CANARY} internal field` },
    { ticket_id: tickets.a, field_id: field[1]!.id, value: 'PO-1234' },
    { ticket_id: tickets.b, field_id: field[0]!.id, value: `${CANARY} internal field` },
  ]).execute();

  // Fleet: a pending offer of A's ticket to the agent, of B's to the restricted agent.
  await db.insertInto('ticket_members').values([
    { ticket_id: tickets.a, user_id: users.agent.id, role: 'requested', offer_state: 'pending', offered_at: now(), offer_expires_at: null, responded_at: null, created_at: now() },
    { ticket_id: tickets.b, user_id: users.restrictedAgent.id, role: 'requested', offer_state: 'pending', offered_at: now(), offer_expires_at: null, responded_at: null, created_at: now() },
  ]).execute();
  await db.insertInto('video_sessions').values({ ticket_id: tickets.a, created_by_id: users.agent.id, title: 'Call with Ann', url: 'https://video.test/a', starts_at: null, created_at: now() }).execute();
  const views = await db.insertInto('saved_views').values([
    { owner_id: users.agent.id, name: 'Kim view', query: 'status=open', shared: 0 },
    { owner_id: users.admin.id, name: 'Ada view', query: 'status=open', shared: 0 },
  ]).returning('id').execute();
  const services = await db.insertInto('services').values([
    { name: 'Acme care', customer_id: null, organization_id: orgA!.id, provider_group_id: groupOther!.id, starts_on: null, ends_on: null, created_at: now() },
    { name: 'Bolt care', customer_id: null, organization_id: orgB!.id, provider_group_id: groupMine!.id, starts_on: null, ends_on: null, created_at: now() },
  ]).returning('id').execute();
  const addresses = await db.insertInto('support_addresses').values([
    { address: 'help@desk.test', brand_id: 1, group_id: null },
    { address: 'east@desk.test', brand_id: 1, group_id: groupMine!.id },
  ]).returning('id').execute();
  const jobs = await db.insertInto('jobs').values([
    { kind: 'mail', payload: JSON.stringify({ from: 'support@desk.test', to: ['ann@acme.test'], subject: 'Hello', text: 'Hello' }), state: 'dead', run_at: now(), max_attempts: 1, locked_until: null, last_error: 'x', created_at: now(), finished_at: now() },
    { kind: 'mail', payload: JSON.stringify({ from: 'support@desk.test', to: ['ann@acme.test'], subject: 'Hello', text: 'Hello' }), state: 'dead', run_at: now(), max_attempts: 1, locked_until: null, last_error: 'x', created_at: now(), finished_at: now() },
  ]).returning('id').execute();

  // Tags are staff-only: one carries the canary (stored as the fixture writes it; the app would lower-case it).
  const tags = await db.insertInto('tags').values([{ name: CANARY }, { name: 'bolt-tag' }]).returning('id').execute();
  await db.insertInto('ticket_tags').values([
    { ticket_id: tickets.a, tag_id: tags[0]!.id }, { ticket_id: tickets.b, tag_id: tags[0]!.id }, { ticket_id: tickets.b, tag_id: tags[1]!.id },
  ]).execute();

  // SLA (issue 21): a second calendar, two policies, and A's record naming the canary policy (staff-only).
  const slaCalendars = await db.insertInto('sla_calendars').values({ name: 'Bolt hours', time_zone: 'Europe/Berlin', week: '[[],[[540,1020]],[],[],[],[],[]]', holidays: '[]', is_default: 0, updated_at: now() })
    .returning('id').execute();
  const slaPolicies = await db.insertInto('sla_policies').values([
    { name: `${CANARY} policy`, position: 1, conditions: '{}', first_reply_minutes: 60, next_reply_minutes: null, resolution_minutes: null, calendar_id: null, updated_at: now() },
    { name: 'Bolt policy', position: 2, conditions: '{}', first_reply_minutes: 120, next_reply_minutes: null, resolution_minutes: null, calendar_id: slaCalendars[0]!.id, updated_at: now() },
  ]).returning('id').execute();
  await db.insertInto('ticket_slas').values({ ticket_id: tickets.a, policy_id: slaPolicies[0]!.id, policy_name: `${CANARY} policy`, calendar: '{"timeZone":"UTC","week":[[],[],[],[],[],[],[]],"holidays":[]}',
    pause_on_hold: 0, warn_minutes: 60, paused_since: null, next_due_at: '2030-01-01T00:00:00.000Z', started_at: now() }).execute();
  await db.insertInto('ticket_sla_targets').values({ ticket_id: tickets.a, target: 'first_reply', minutes: 60, business: 0, state: 'running', started_at: now(),
    paused_seconds: 0, due_at: '2030-01-01T00:00:00.000Z', fulfilled_at: null, breached_at: null, warned_at: null }).execute();
  // Macros are staff-only: A is the agent's personal macro, B a macro the admin shared with everyone.
  const macros = await db.insertInto('macros').values([
    { owner_id: users.agent.id, name: `${CANARY} macro`, body: `${CANARY} macro text`, kind: 'note', shared: 0, group_id: null, actions: '{}', created_at: now(), updated_at: now() },
    { owner_id: users.admin.id, name: 'Shared macro', body: 'Hello {{requester.first_name}}', kind: 'reply', shared: 1, group_id: null, actions: '{}', created_at: now(), updated_at: now() },
  ]).returning('id').execute();
  // Triggers and automations (issue 21) are admins' only: A's trigger writes a note carrying the canary
  // when a customer replies; the automations are the migration's default ones.
  const ruleTriggers = await db.insertInto('rules').values([
    { kind: 'trigger', name: `${CANARY} trigger`, position: 10, enabled: 1, events: '["customer_reply"]', conditions: '{}',
      actions: JSON.stringify({ note: `${CANARY} trigger note` }), builtin: null, created_at: now(), updated_at: now() },
    { kind: 'trigger', name: 'Bolt trigger', position: 20, enabled: 0, events: '["created"]', conditions: '{}', actions: '{}', builtin: null, created_at: now(), updated_at: now() },
  ]).returning('id').execute();
  const automations = await db.selectFrom('rules').select('id').where('kind', '=', 'automation').orderBy('id').execute();

  // API tokens (issue 22): one read-write token per person for the API's routes; A (the customer's) and
  // B (the agent's) besides, for the pages that revoke tokens.
  const tokens = {} as Record<ActorName, string>;
  for (const name of ACTORS) {
    if (name === 'anonymous' || name === 'colleagueUnshared') continue;
    const user = users[name];
    tokens[name] = (await createApiToken(db, null, user.id, { name: `${name} token`, scope: 'write', expiresOn: '' })).token;
  }
  tokens.colleagueUnshared = tokens.colleague;
  const apiTokens = {
    a: (await createApiToken(db, null, users.customer.id, { name: `Ann script`, scope: 'read', expiresOn: '' })).id,
    b: (await createApiToken(db, null, users.agent.id, { name: `Kim script`, scope: 'read', expiresOn: '' })).id,
  };
  // Webhooks (issue 22), disabled (the fixtures send nothing): A's log holds a delivery of a note (staff-only).
  const webhooks = await db.insertInto('webhook_subscriptions').values([
    { url: 'https://hooks.acme.test/a', description: `${CANARY} webhook`, events: '["message.added.internal"]', group_id: null, type_id: null, secret: `${CANARY}-secret`,
      enabled: 0, disabled_at: now(), disabled_reason: 'admin', created_by_id: users.admin.id, created_at: now(), updated_at: now() },
    { url: 'https://hooks.bolt.test/b', description: 'Bolt', events: '["ticket.created"]', group_id: null, type_id: null, secret: 'secret-b',
      enabled: 0, disabled_at: now(), disabled_reason: 'admin', created_by_id: users.admin.id, created_at: now(), updated_at: now() },
  ]).returning('id').execute();
  const deliveryRow = (subscription: number, uuid: string, event: string, ticket: number, text: string) => ({
    subscription_id: subscription, uuid, event, event_id: null, ticket_id: ticket, payload: JSON.stringify({ text }), state: 'delivered' as const, attempts: 1,
    redelivery_of: null, request_headers: '{"x-deskbell-event":"' + event + '"}', request_body: JSON.stringify({ text }), response_status: 200,
    response_body: 'ok', error: null, duration_ms: 5, created_at: now(), last_attempt_at: now(), next_attempt_at: null,
  });
  const webhookDeliveries = await db.insertInto('webhook_deliveries').values([
    deliveryRow(webhooks[0]!.id, '00000000-0000-4000-8000-00000000000a', 'message.added.internal', tickets.a, `${CANARY} note delivered`),
    deliveryRow(webhooks[1]!.id, '00000000-0000-4000-8000-00000000000b', 'ticket.created', tickets.b, 'Bea lost badge'),
  ]).returning('id').execute();

  // Single sign-on providers (issue 24): A and B, both pointing at a closed port on this machine.
  const ssoProviders = await db.insertInto('sso_providers').values(['A', 'B'].map((name) => ({
    name: `Provider ${name}`, issuer: 'http://127.0.0.1:9', client_id: `client-${name}`, client_secret: `${CANARY} secret ${name}`,
    created_at: now(), updated_at: now(),
  }))).returning('id').execute();
  // A file of each macro (macro A's is named with the canary: staff-only), downloadable by who sees the macro.
  const macroFiles = { a: 0, b: 0 };
  for (const key of ['a', 'b'] as const) {
    const file = storeFile((key === 'a' ? 'ad' : 'bd').repeat(16), key === 'a' ? `${CANARY} macro file` : 'shared macro file');
    const row = await db.insertInto('macro_attachments').values({ macro_id: macros[key === 'a' ? 0 : 1]!.id, filename: key === 'a' ? `${CANARY}.txt` : 'b.txt',
      content_type: 'text/plain', ...file }).returning('id').executeTakeFirstOrThrow();
    macroFiles[key] = row.id;
  }

  // The help center (issue 23): A is a published public article, B a published internal one (staff-only:
  // it carries the canary), and a public draft carries it too (drafts reach no reader). A's revision and B's.
  const helpTexts = (name: string) => JSON.stringify({ en: { name, description: '' } });
  const helpCategories = await db.insertInto('help_categories').values([
    { position: 0, texts: helpTexts('Printing'), created_at: now(), updated_at: now() },
    { position: 1, texts: helpTexts('Badges'), created_at: now(), updated_at: now() },
  ]).returning('id').execute();
  const helpSections = await db.insertInto('help_sections').values([
    { category_id: helpCategories[0]!.id, position: 0, texts: helpTexts('Jams'), created_at: now(), updated_at: now() },
    { category_id: helpCategories[1]!.id, position: 0, texts: helpTexts('Lost badges'), created_at: now(), updated_at: now() },
  ]).returning('id').execute();
  const helpArticles = await db.insertInto('help_articles').values([
    { section_id: helpSections[0]!.id, visibility: 'public', state: 'published', author_id: users.agent.id, created_at: now(), updated_at: now(), published_at: now() },
    { section_id: helpSections[0]!.id, visibility: 'internal', state: 'published', author_id: users.agent.id, created_at: now(), updated_at: now(), published_at: now() },
    { section_id: helpSections[0]!.id, visibility: 'public', state: 'draft', author_id: users.agent.id, created_at: now(), updated_at: now(), published_at: null },
  ]).returning('id').execute();
  const helpArticle = (articleId: number, title: string, body: string) => ({
    article_id: articleId, locale: 'en', title, body, body_html: `<p>${body}</p>`, body_text: body, updated_at: now(), updated_by: users.agent.id,
  });
  await db.insertInto('help_article_texts').values([
    helpArticle(helpArticles[0]!.id, 'Clearing a paper jam', 'Open the tray and pull the staffonly sheet gently.'),
    helpArticle(helpArticles[1]!.id, `${CANARY} internal article`, `${CANARY} staff-only steps for the jam`),
    helpArticle(helpArticles[2]!.id, `${CANARY} draft article`, `${CANARY} unfinished steps for the jam`),
  ]).execute();
  const helpRevisions = await db.insertInto('help_revisions').values([
    { article_id: helpArticles[0]!.id, locale: 'en', title: 'Clearing a paper jam', body: 'Open the tray.', author_id: users.agent.id, restored_from: null, created_at: now() },
    { article_id: helpArticles[1]!.id, locale: 'en', title: `${CANARY} internal article`, body: `${CANARY} steps`, author_id: users.agent.id, restored_from: null, created_at: now() },
  ]).returning('id').execute();

  // An image of each of A and B (B's, of the internal article, carries the canary in its bytes).
  const helpImages = { a: 0, b: 0 };
  for (const key of ['a', 'b'] as const) {
    const file = storeFile((key === 'a' ? 'ae' : 'be').repeat(16), Buffer.concat([PNG_HEAD, Buffer.from(key === 'a' ? 'public picture' : `${CANARY} internal picture`)]));
    const row = await db.insertInto('help_article_images').values({ article_id: helpArticles[key === 'a' ? 0 : 1]!.id, filename: `${key}.png`,
      content_type: 'image/png', ...file }).returning('id').executeTakeFirstOrThrow();
    helpImages[key] = row.id;
  }

  const ids = {
    ticket: tickets, attachment: attachments, apiToken: apiTokens,
    user: { a: users.customer.id, b: users.otherCustomer.id },
    staffUser: { a: users.agent.id, b: users.restrictedAgent.id },
    org: { a: orgA!.id, b: orgB!.id },
    group: { a: groupOther!.id, b: groupMine!.id },
    status: { a: 2, b: 3 }, type: { a: 1, b: typeB!.id }, field: { a: field[0]!.id, b: field[1]!.id },
    brand: { a: 1, b: brandB!.id }, service: { a: services[0]!.id, b: services[1]!.id },
    view: { a: views[0]!.id, b: views[1]!.id }, address: { a: addresses[0]!.id, b: addresses[1]!.id },
    job: { a: jobs[0]!.id, b: jobs[1]!.id }, tag: { a: tags[0]!.id, b: tags[1]!.id },
    slaCalendar: { a: 1, b: slaCalendars[0]!.id }, slaPolicy: { a: slaPolicies[0]!.id, b: slaPolicies[1]!.id },
    macro: { a: macros[0]!.id, b: macros[1]!.id },
    webhook: { a: webhooks[0]!.id, b: webhooks[1]!.id }, webhookDelivery: { a: webhookDeliveries[0]!.id, b: webhookDeliveries[1]!.id },
    trigger: { a: ruleTriggers[0]!.id, b: ruleTriggers[1]!.id }, automation: { a: automations[0]!.id, b: automations[1]!.id },
    ssoProvider: { a: ssoProviders[0]!.id, b: ssoProviders[1]!.id },
    /** Passkeys (issue 24): A is the customer's, B the other customer's; added once everyone has signed in (below). */
    passkey: { a: 0, b: 0 },
    macroFile: macroFiles,
    article: { a: helpArticles[0]!.id, b: helpArticles[1]!.id, draft: helpArticles[2]!.id },
    helpCategory: { a: helpCategories[0]!.id, b: helpCategories[1]!.id },
    helpSection: { a: helpSections[0]!.id, b: helpSections[1]!.id },
    helpRevision: { a: helpRevisions[0]!.id, b: helpRevisions[1]!.id },
    helpImage: helpImages,
  };
  // The neighbour id that does not exist: one past the table's last row.
  const tables = {
    ticket: 'tickets', attachment: 'attachments', user: 'users', staffUser: 'users', org: 'organizations', group: 'groups',
    status: 'statuses', type: 'ticket_types', field: 'fields', brand: 'brands', service: 'services', view: 'saved_views',
    address: 'support_addresses', job: 'jobs', tag: 'tags',
    slaCalendar: 'sla_calendars', slaPolicy: 'sla_policies',
    macro: 'macros',
    apiToken: 'api_tokens',
    webhook: 'webhook_subscriptions', webhookDelivery: 'webhook_deliveries',
    trigger: 'rules', automation: 'rules',
    ssoProvider: 'sso_providers',
    macroFile: 'macro_attachments',
    article: 'help_articles', helpCategory: 'help_categories', helpSection: 'help_sections', helpRevision: 'help_revisions',
    helpImage: 'help_article_images',
  } as const;
  const missing = {} as Record<keyof typeof tables, number>;
  for (const [kind, table] of Object.entries(tables) as [keyof typeof tables, typeof tables[keyof typeof tables]][]) {
    const last = await db.selectFrom(table).select((eb) => eb.fn.max('id').as('id')).executeTakeFirstOrThrow();
    missing[kind] = Number(last.id ?? 0) + 1;
  }

  const clients = {} as Record<ActorName, Client>;
  clients.anonymous = new Client(app);
  await clients.anonymous.get('/login');
  for (const name of ACTORS) {
    if (name === 'anonymous') continue;
    const client = new Client(app);
    const user = name === 'colleagueUnshared' ? users.colleague : users[name];
    await client.login(user.email, PASSWORD);
    if (!client.csrf) throw new Error(`no CSRF token for ${name}`);
    clients[name] = client;
  }
  // Passkeys after signing in: a passkey is a second factor, and the clients sign in with passwords.
  const passkeys = await db.insertInto('passkeys').values([users.customer.id, users.otherCustomer.id].map((userId, i) => ({
    user_id: userId, credential_id: `credential-${i}`, public_key: 'AAAA', name: `Key ${i}`, created_at: now(), last_used_at: null,
  }))).returning('id').execute();
  ids.passkey = { a: passkeys[0]!.id, b: passkeys[1]!.id };
  (missing as Record<string, number>).passkey = passkeys[1]!.id + 1;
  // Redelivering (the admin page, then the API) adds deliveries while the matrix runs: the one that does not exist stays far off.
  missing.webhookDelivery += 1000;
  /** The colleague with sharing off is the same person, with the organisation's sharing switched off. */
  const setSharing = (on: boolean) => db.updateTable('organizations').set({ members_see_all_tickets: on ? 1 : 0 }).where('id', '=', orgA!.id).execute();

  return { ...desk, routes, users, ids, missing, clients, setSharing, orgA: orgA!.id, tokens };
}

export type World = Awaited<ReturnType<typeof buildWorld>>;
