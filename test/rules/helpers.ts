import type { Test } from 'tap';
import { nowIso } from '../../src/lib/time.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

/** A form with repeated fields (ticked boxes), as a browser sends it. */
export function postPairs(client: Client, url: string, pairs: [string, string][]) {
  return client.app.inject({
    method: 'POST', url, payload: new URLSearchParams([['_csrf', client.csrf], ...pairs]).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
  });
}

/**
 * A desk for rules: an admin (Ada), two agents in Billing (Kim, Lou), an agent outside it (Max), a
 * customer of Acme (Cora), a type customers choose without a default group, and each one logged in.
 */
export async function rulesDesk(t: Test) {
  const desk = await buildTestDesk(t);
  const { db, app } = desk;
  const now = nowIso();
  const admin = await makeUser(db, 'admin', { name: 'Ada Admin', email: 'ada@desk.test' });
  const kim = await makeUser(db, 'agent', { name: 'Kim Agent', email: 'kim@desk.test' });
  const lou = await makeUser(db, 'agent', { name: 'Lou Agent', email: 'lou@desk.test' });
  const max = await makeUser(db, 'agent', { name: 'Max Agent', email: 'max@desk.test' });
  const acme = await db.insertInto('organizations').values({ name: 'Acme', created_at: now }).returning('id').executeTakeFirstOrThrow();
  const cora = await makeUser(db, 'customer', { name: 'Cora Customer', email: 'cora@example.test', organizationId: acme.id });
  const billing = await db.insertInto('groups').values({ name: 'Billing', created_at: now }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('group_members').values([{ group_id: billing.id, user_id: kim.id }, { group_id: billing.id, user_id: lou.id }]).execute();
  const question = await db.insertInto('ticket_types').values({ name: 'Question', default_group_id: null, created_at: now }).returning('id').executeTakeFirstOrThrow();
  const outage = await db.insertInto('ticket_types').values({ name: 'Outage', default_group_id: null, created_at: now }).returning('id').executeTakeFirstOrThrow();
  const status = async (name: string) => (await db.selectFrom('statuses').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
  const login = async (email: string) => {
    const client = new Client(app);
    await client.login(email, PASSWORD);
    return client;
  };
  const boss = await login(admin.email);
  const staff = await login(kim.email);
  const portal = await login(cora.email);

  /** An admin saves a rule in the admin page; its id. */
  const rule = async (kind: 'triggers' | 'automations', name: string, pairs: [string, string][]) => {
    await boss.get(`/admin/${kind}/new`);
    const saved = await postPairs(boss, `/admin/${kind}`, [['name', name], ['enabled', '1'], ...pairs]);
    if (saved.statusCode !== 303) throw new Error(`${name} not saved: ${saved.statusCode} ${saved.body.slice(0, 3000)}`);
    return (await db.selectFrom('rules').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
  };
  /** Cora opens a ticket in the portal; the worker runs the consumers (the outbox keeps the mail: no SMTP). */
  const submit = async (subject: string, message = 'Please help.') => {
    await portal.get('/portal/tickets/new');
    const created = await portal.post('/portal/tickets', { typeId: String(question.id), subject, message });
    const id = Number(/\/portal\/tickets\/(\d+)/.exec(String(created.headers.location))?.[1]);
    if (!id) throw new Error(`no ticket: ${created.statusCode} ${created.body.slice(0, 500)}`);
    await app.worker.drain();
    return id;
  };
  const ticket = (id: number) => db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const tags = async (id: number) => (await db.selectFrom('ticket_tags').innerJoin('tags', 'tags.id', 'ticket_tags.tag_id')
    .select('tags.name').where('ticket_tags.ticket_id', '=', id).orderBy('tags.name').execute()).map((r) => r.name);
  const mails = async () => (await db.selectFrom('jobs').select('payload').where('kind', '=', 'mail').orderBy('id').execute())
    .map((j) => JSON.parse(j.payload) as { to: string[]; subject: string; text: string; html: string });
  const history = (id: number) => db.selectFrom('ticket_events').select(['kind', 'from_value', 'to_value']).where('ticket_id', '=', id).orderBy('id').execute();
  return {
    ...desk, admin, kim, lou, max, cora, acme: acme.id, billing: billing.id, question: question.id, outage: outage.id,
    boss, staff, portal, login, status, rule, submit, ticket, tags, mails, history,
  };
}
