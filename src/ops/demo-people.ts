import type { Role } from '../db/schema.js';
import type { PeopleStore } from './demo-sink.js';
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
  /** The demo's tags, each with the share of tickets that carry it. */
  tags: DemoTag[];
}
export interface DemoTag { id: number; name: string; share: number }

/**
 * Tags as a desk's tend to be: a few common ones, a long tail of rare ones (`billing` on one ticket
 * in five, `legal` on one in a thousand). The benchmark filters and searches by the commonest and
 * the rarest.
 */
export const COMMON_TAG = 'billing';
export const DEMO_TAGS: readonly (readonly [name: string, share: number])[] = [
  [COMMON_TAG, 0.2], ['hardware', 0.1], ['password', 0.08], ['onboarding', 0.05], ['refund', 0.03],
  ['vip', 0.02], ['bug', 0.02], ['feature-request', 0.01], ['outage', 0.005], ['legal', 0.001],
];

const NAMED_STAFF = [
  ['admin@demo.test', 'Alex Admin', 'admin'], ['supervisor@demo.test', 'Sam Supervisor', 'supervisor'],
  ['agent@demo.test', 'Robin Agent', 'agent'], ['agent2@demo.test', 'Kim Agent', 'agent'],
] as const;
const GROUPS = ['Billing', 'IT Operations', 'Field Service', 'Escalations'];

const ascii = (text: string) => text.normalize('NFD').replace(/[^A-Za-z]+/g, '').toLowerCase();

/**
 * Organisations, groups, staff and customers, scaled to the number of tickets (about one customer
 * per 25 tickets, one organisation per 25 customers, one extra agent per 25,000 tickets). People
 * who exist already are reused and get the new password. Runs in the
 * transaction of the store's sink.
 */
export async function ensurePeople(store: PeopleStore, random: Random, tickets: number, passwordHash: string, defaultGroupId: number | null, now: string): Promise<DemoPeople> {
  const org = (name: string, domain: string, shares: 0 | 1) => store.organization(name, domain, shares, now);
  const user = (email: string, name: string, role: Role, organizationId: number | null) => store.user(email, name, role, passwordHash, organizationId, now);

  const customerCount = Math.max(20, Math.round(tickets / 25));
  const orgs = [{ id: await org('Acme Corp', 'acme.test', 1), domain: 'acme.test' }, { id: await org('Globex', 'globex.test', 0), domain: 'globex.test' }];
  for (let n = 0; n < Math.max(0, Math.round(customerCount / 25) - 2); n++) {
    const { name, domain } = organization(n);
    orgs.push({ id: await org(name, domain, n % 4 === 0 ? 1 : 0), domain });
  }

  const groupIds = defaultGroupId === null ? [] : [defaultGroupId];
  for (const name of GROUPS) groupIds.push(await store.group(name, `The ${name} team.`, now));
  const staff: DemoStaff[] = [];
  for (const [email, name, role] of NAMED_STAFF) staff.push({ id: await user(email, name, role, null), name });
  for (let n = 0; n < Math.max(2, Math.round(tickets / 25_000)); n++) {
    const name = `${FIRST[(n * 7) % FIRST.length]} ${LAST[(n * 5) % LAST.length]}`;
    staff.push({ id: await user(`agent.${n + 1}@demo.test`, name, 'agent', null), name });
  }
  const groups = new Map<number, DemoStaff[]>(groupIds.map((id) => [id, []]));
  for (const [n, person] of staff.entries()) {
    // The named staff sit in the default queue and one more; the others in one team each.
    const chosen = n < NAMED_STAFF.length ? [groupIds[0]!, groupIds[1 + (n % (groupIds.length - 1))]!] : [groupIds[n % groupIds.length]!];
    for (const groupId of chosen) {
      await store.join(groupId, person.id);
      if (!groups.get(groupId)!.includes(person)) groups.get(groupId)!.push(person);
    }
  }

  const namedCustomer = { id: await user('customer@acme.test', 'Casey Customer', 'customer', orgs[0]!.id), name: 'Casey Customer', organizationId: orgs[0]!.id };
  const customers: DemoPerson[] = [namedCustomer];
  for (let n = 0; n < customerCount; n++) {
    const first = pick(random, FIRST);
    const last = pick(random, LAST);
    // Seven in ten customers belong to an organisation; big organisations have more people.
    const home = random() < 0.7 ? orgs[skewed(random, orgs.length)]! : null;
    const email = `${ascii(first)}.${ascii(last)}.${n + 1}@${home?.domain ?? 'example.test'}`;
    customers.push({ id: await user(email, `${first} ${last}`, 'customer', home?.id ?? null), name: `${first} ${last}`, organizationId: home?.id ?? null });
  }
  const tags: DemoTag[] = [];
  for (const [name, share] of DEMO_TAGS) tags.push({ id: await store.tag(name), name, share });
  return { staff, groups, customers, namedCustomer, tags };
}
