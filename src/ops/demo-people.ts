import type SQLite from 'better-sqlite3';
import { FIRST, LAST, organization, pick, skewed, type Random } from './demo-text.js';

export interface DemoPerson { id: number; name: string; organizationId: number | null }
export interface DemoStaff { id: number; name: string }
export interface DemoPeople {
  staff: DemoStaff[];
  /** Agents by group id (every group has at least one). */
  groups: Map<number, DemoStaff[]>;
  customers: DemoPerson[];
  /** customer@acme.test, who should have tickets of their own. */
  namedCustomer: DemoPerson;
}

const NAMED_STAFF = [
  ['admin@demo.test', 'Alex Admin', 'admin'], ['supervisor@demo.test', 'Sam Supervisor', 'supervisor'],
  ['agent@demo.test', 'Robin Agent', 'agent'], ['agent2@demo.test', 'Kim Agent', 'agent'],
] as const;
const GROUPS = ['Billing', 'IT Operations', 'Field Service', 'Escalations'];

const ascii = (text: string) => text.normalize('NFD').replace(/[^A-Za-z]+/g, '').toLowerCase();

/**
 * Organisations, groups, staff and customers, scaled to the number of tickets (about one customer
 * per 25 tickets, one organisation per 25 customers, one extra agent per 25,000 tickets). People
 * who exist already are reused and get the new password. Runs in the caller's transaction.
 */
export function ensurePeople(sqlite: SQLite.Database, random: Random, tickets: number, passwordHash: string, defaultGroupId: number | null, now: string): DemoPeople {
  const findOrg = sqlite.prepare<[string], { id: number }>('select id from organizations where name = ? collate nocase');
  const insertOrg = sqlite.prepare('insert into organizations (name, domains, members_see_all_tickets, created_at) values (?, ?, ?, ?)');
  const findUser = sqlite.prepare<[string], { id: number }>('select id from users where email = ? collate nocase');
  const refreshUser = sqlite.prepare("update users set password_hash = ?, state = 'active' where id = ?");
  const insertUser = sqlite.prepare(`insert into users (email, name, role, state, password_hash, organization_id, created_at, updated_at)
    values (?, ?, ?, 'active', ?, ?, ?, ?)`);
  const findGroup = sqlite.prepare<[string], { id: number }>('select id from groups where name = ? collate nocase');
  const insertGroup = sqlite.prepare('insert into groups (name, description, created_at) values (?, ?, ?)');
  const joinGroup = sqlite.prepare('insert into group_members (group_id, user_id) values (?, ?) on conflict do nothing');

  const org = (name: string, domain: string, shares: number) =>
    findOrg.get(name)?.id ?? Number(insertOrg.run(name, domain, shares, now).lastInsertRowid);
  const user = (email: string, name: string, role: string, organizationId: number | null) => {
    const found = findUser.get(email)?.id;
    if (found !== undefined) {
      refreshUser.run(passwordHash, found);
      return found;
    }
    return Number(insertUser.run(email, name, role, passwordHash, organizationId, now, now).lastInsertRowid);
  };

  const customerCount = Math.max(20, Math.round(tickets / 25));
  const orgs = [{ id: org('Acme Corp', 'acme.test', 1), domain: 'acme.test' }, { id: org('Globex', 'globex.test', 0), domain: 'globex.test' }];
  for (let n = 0; n < Math.max(0, Math.round(customerCount / 25) - 2); n++) {
    const { name, domain } = organization(n);
    orgs.push({ id: org(name, domain, n % 4 === 0 ? 1 : 0), domain });
  }

  const groupIds = [...(defaultGroupId === null ? [] : [defaultGroupId]),
    ...GROUPS.map((name) => findGroup.get(name)?.id ?? Number(insertGroup.run(name, `The ${name} team.`, now).lastInsertRowid))];
  const staff: DemoStaff[] = NAMED_STAFF.map(([email, name, role]) => ({ id: user(email, name, role, null), name }));
  for (let n = 0; n < Math.max(2, Math.round(tickets / 25_000)); n++) {
    const name = `${FIRST[(n * 7) % FIRST.length]} ${LAST[(n * 5) % LAST.length]}`;
    staff.push({ id: user(`agent.${n + 1}@demo.test`, name, 'agent', null), name });
  }
  const groups = new Map<number, DemoStaff[]>(groupIds.map((id) => [id, []]));
  staff.forEach((person, n) => {
    // The named staff sit in the default queue and one more; the others in one team each.
    const chosen = n < NAMED_STAFF.length ? [groupIds[0]!, groupIds[1 + (n % (groupIds.length - 1))]!] : [groupIds[n % groupIds.length]!];
    for (const groupId of chosen) {
      joinGroup.run(groupId, person.id);
      if (!groups.get(groupId)!.includes(person)) groups.get(groupId)!.push(person);
    }
  });

  const namedCustomer = { id: user('customer@acme.test', 'Casey Customer', 'customer', orgs[0]!.id), name: 'Casey Customer', organizationId: orgs[0]!.id };
  const customers: DemoPerson[] = [namedCustomer];
  for (let n = 0; n < customerCount; n++) {
    const first = pick(random, FIRST);
    const last = pick(random, LAST);
    // Seven in ten customers belong to an organisation; big organisations have more people.
    const home = random() < 0.7 ? orgs[skewed(random, orgs.length)]! : null;
    const email = `${ascii(first)}.${ascii(last)}.${n + 1}@${home?.domain ?? 'example.test'}`;
    customers.push({ id: user(email, `${first} ${last}`, 'customer', home?.id ?? null), name: `${first} ${last}`, organizationId: home?.id ?? null });
  }
  return { staff, groups, customers, namedCustomer };
}
