import { randomBytes } from 'node:crypto';
import type { Db } from '../db/connect.js';
import type { Priority, Role } from '../db/schema.js';
import { hashPassword } from '../lib/crypto.js';
import { textToHtml } from '../lib/text.js';
import { getNumberSetting } from '../settings/settings.js';
import { ensureSeedTypes } from './demo-types.js';

const SUBJECTS = ['Cannot log in after the update', 'Invoice shows the wrong VAT number', 'Printer on floor 2 is offline',
  'Please approve domain for partner account', 'VPN drops every few minutes', 'Request for a new laptop',
  'Password reset mail never arrives', 'Export to CSV is missing columns', 'Calendar invites show the wrong time',
  'Refund for a double charge', 'Add a colleague to our account', 'The mobile app crashes on start'];
const LINES = ['Since this morning I get an error when I try this.', 'It worked fine last week.',
  'Could you have a look as soon as possible?', 'I attached what I see on screen.', 'This blocks our whole team.',
  'Thanks for the quick help last time!', 'Let me know if you need more details.'];
const FIRST = ['Ana', 'Ben', 'Chloé', 'Dmitri', 'Eve', 'Farah', 'Goran', 'Hana', 'Ivo', 'Jun', 'Kofi', 'Lena', 'Mika', 'Noor'];
const LAST = ['Novak', 'Schmidt', 'Okafor', 'Lindqvist', 'Moreau', 'Tanaka', 'Silva', 'Horvat', 'Kowalski', 'Haddad'];
const DOMAINS = ['acme.test', 'globex.test', 'initech.test', 'umbrella.test', 'hooli.test'];
const PRIORITIES: Priority[] = ['low', 'normal', 'normal', 'normal', 'high', 'urgent'];

export interface DemoLogin { role: Role; email: string }

/** Demo organisations, staff, customers and `tickets` tickets with conversations, spread over every status. */
export async function buildDemo(db: Db, options: { tickets: number }): Promise<{ password: string; logins: DemoLogin[]; tickets: number }> {
  const password = randomBytes(9).toString('base64url');
  const passwordHash = await hashPassword(password);
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();

  const staff = await db.transaction().execute(async (trx) => {
    const orgIds: number[] = [];
    for (const [name, domain, shares] of [['Acme Corp', 'acme.test', 1], ['Globex', 'globex.test', 0]] as const) {
      const existing = await trx.selectFrom('organizations').select('id').where('name', '=', name).executeTakeFirst();
      orgIds.push(existing?.id ?? (await trx.insertInto('organizations')
        .values({ name, domains: domain, members_see_all_tickets: shares, created_at: iso(now) })
        .returning('id').executeTakeFirstOrThrow()).id);
    }
    const upsert = async (email: string, name: string, role: Role, organizationId: number | null) => {
      const found = await trx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
      if (found) {
        await trx.updateTable('users').set({ password_hash: passwordHash, state: 'active' }).where('id', '=', found.id).execute();
        return found.id;
      }
      return (await trx.insertInto('users').values({ email, name, role, state: 'active', password_hash: passwordHash,
        organization_id: organizationId, created_at: iso(now), updated_at: iso(now) }).returning('id').executeTakeFirstOrThrow()).id;
    };
    const agents = [
      await upsert('admin@demo.test', 'Alex Admin', 'admin', null),
      await upsert('supervisor@demo.test', 'Sam Supervisor', 'supervisor', null),
      await upsert('agent@demo.test', 'Robin Agent', 'agent', null),
      await upsert('agent2@demo.test', 'Kim Agent', 'agent', null),
    ];
    const customers = [await upsert('customer@acme.test', 'Casey Customer', 'customer', orgIds[0]!)];
    for (let i = 0; i < 20; i++) {
      const name = `${FIRST[i % FIRST.length]} ${LAST[(i * 3) % LAST.length]}`;
      const org = i % 3 === 2 ? null : orgIds[i % 2]!;
      const domain = org === orgIds[0] ? 'acme.test' : org === orgIds[1] ? 'globex.test' : 'example.test';
      customers.push(await upsert(`${name.toLowerCase().replace(/[^a-z]+/g, '.')}@${domain}`, name, 'customer', org));
    }
    const groupId = await getNumberSetting(trx, 'default_group_id');
    if (groupId !== null) {
      for (const id of agents) await trx.insertInto('group_members').values({ group_id: groupId, user_id: id }).onConflict((oc) => oc.doNothing()).execute();
    }
    return { agents, customers, groupId, types: await ensureSeedTypes(trx) };
  });

  const statuses = await db.selectFrom('statuses').select(['id', 'category']).where('retired_at', 'is', null).orderBy('position').execute();
  const typeId = await getNumberSetting(db, 'default_type_id');
  const brandId = await getNumberSetting(db, 'default_brand_id');
  if (statuses.length === 0 || typeId === null || brandId === null) throw new Error('the desk has no statuses, type or brand');
  const orgOf = new Map((await db.selectFrom('users').select(['id', 'organization_id']).where('id', 'in', staff.customers).execute())
    .map((u) => [u.id, u.organization_id]));

  const BATCH = 500;
  for (let start = 0; start < options.tickets; start += BATCH) {
    await db.transaction().execute(async (trx) => {
      for (let i = start; i < Math.min(options.tickets, start + BATCH); i++) {
        const status = statuses[i % statuses.length]!;
        const requester = pick(staff.customers);
        const assignee = status.category === 'new' ? null : pick(staff.agents);
        const created = now - Math.floor(random() * 60 * 86400_000);
        const replies = 1 + Math.floor(random() * 3);
        const last = created + replies * 3600_000;
        const solved = status.category === 'solved' || status.category === 'closed' ? iso(last) : null;
        const closed = status.category === 'closed';
        const kind = closed && i % 2 === 0 ? 'account' : i % 4 === 1 ? 'domain' : i % 4 === 3 ? 'care' : 'general';
        const types = staff.types;
        const ticketType = { account: types.accountCreated, domain: types.domainApproval, care: types.careCoordination, general: typeId }[kind];
        const subject = kind === 'account' ? `Account created for ${pick(FIRST)}` : kind === 'domain' ? `Domain approval: ${pick(DOMAINS)}` : pick(SUBJECTS);
        const ticket = await trx.insertInto('tickets').values({
          subject, type_id: ticketType, brand_id: brandId, status_id: status.id, priority: pick(PRIORITIES),
          visibility: 'public', requester_id: requester, organization_id: orgOf.get(requester) ?? null, assignee_id: assignee,
          group_id: staff.groupId, service_id: null, channel: pick(['portal', 'email', 'agent'] as const), created_by_id: requester,
          created_at: iso(created), updated_at: iso(last), last_activity_at: iso(last), last_replier_id: assignee ?? requester,
          first_response_at: assignee ? iso(created + 3600_000) : null, solved_at: solved, closed_at: status.category === 'closed' ? solved : null,
        }).returning('id').executeTakeFirstOrThrow();
        if (kind === 'domain') {
          await trx.insertInto('ticket_field_values').values([
            { ticket_id: ticket.id, field_id: types.domainField, value: subject.slice('Domain approval: '.length) },
            ...(solved ? [{ ticket_id: ticket.id, field_id: types.approvalField, value: pick(['approved', 'declined', 'cleared']) }] : []),
          ]).execute();
        }
        for (let m = 0; m < replies; m++) {
          const fromStaff = m % 2 === 1 && assignee !== null;
          const body = `${pick(LINES)}\n\n${pick(LINES)}`;
          await trx.insertInto('messages').values({
            ticket_id: ticket.id, author_id: fromStaff ? assignee : requester,
            kind: (m === 2 || kind === 'domain' || kind === 'account') && fromStaff ? 'note' : 'reply',
            body_text: body, body_html: textToHtml(body), via: 'web', email_message_id: null, match_reason: null,
            created_at: iso(created + m * 3600_000),
          }).execute();
        }
        await trx.insertInto('ticket_events').values({ ticket_id: ticket.id, actor_id: requester, kind: 'created',
          from_value: null, to_value: null, created_at: iso(created) }).execute();
      }
    });
  }
  return {
    password,
    tickets: options.tickets,
    logins: [
      { role: 'admin', email: 'admin@demo.test' }, { role: 'supervisor', email: 'supervisor@demo.test' },
      { role: 'agent', email: 'agent@demo.test' }, { role: 'customer', email: 'customer@acme.test' },
    ],
  };
}
