import t from 'tap';
import type { Role } from '../../src/db/schema.js';
import { can } from '../../src/policy/can.js';
import { loadTeams, loadTicketFacts } from '../../src/policy/tickets.js';
import { searchForAgent } from '../../src/search/agent.js';
import { listPageQuery, listTicketPage, statusLookup } from '../../src/tickets/list.js';
import { parseListQuery } from '../../src/tickets/list-filter.js';
import { resolvedScope, visibleTickets, withTeams } from '../../src/tickets/scope.js';
import { toActor, type Actor } from '../../src/users/actor.js';
import { buildTestDesk } from '../helpers/app.js';
import { makeCcs, makeTickets, makeUser } from '../helpers/factories.js';

// The two forms of "who sees which ticket" — the predicate can(person, 'ticket.see', ticket) and the
// query scope visibleTickets(db, person) — give the same answer for every kind of person and every
// kind of ticket: each combination of visibility, organisation, group, requester and CC.
t.test('can(person, ticket.see, ticket) is exactly membership in visibleTickets(db, person)', async (t) => {
  const { db } = await buildTestDesk(t);
  const at = new Date().toISOString();
  const [sharing, closed] = await db.insertInto('organizations').values([
    { name: 'Sharing Ltd', members_see_all_tickets: 1, created_at: at },
    { name: 'Closed Ltd', members_see_all_tickets: 0, created_at: at },
  ]).returning('id').execute();
  const [restricted, otherRestricted, normal] = await db.insertInto('groups').values([
    { name: 'Provider East', is_restricted: 1, created_at: at },
    { name: 'Provider West', is_restricted: 1, created_at: at },
    { name: 'Second line', is_restricted: 0, created_at: at },
  ]).returning('id').execute();

  const person = async (role: Role, fields: { organizationId?: number; state?: 'disabled'; manager?: boolean; groups?: number[] } = {}) => {
    const user = await makeUser(db, role, { organizationId: fields.organizationId ?? null, state: fields.state });
    if (fields.manager) await db.updateTable('users').set({ is_org_manager: 1 }).where('id', '=', user.id).execute();
    for (const group of fields.groups ?? []) await db.insertInto('group_members').values({ group_id: group, user_id: user.id }).execute();
    return user.id;
  };
  const ids = {
    admin: await person('admin'),
    supervisor: await person('supervisor'),
    agent: await person('agent'),
    agentInNormalGroup: await person('agent', { groups: [normal!.id] }),
    agentOnlyRestricted: await person('agent', { groups: [restricted!.id] }),
    agentRestrictedAndNormal: await person('agent', { groups: [restricted!.id, normal!.id] }),
    requester: await person('customer'),
    ccd: await person('customer'),
    sharingMember: await person('customer', { organizationId: sharing!.id }),
    sharingColleague: await person('customer', { organizationId: sharing!.id }),
    closedManager: await person('customer', { organizationId: closed!.id, manager: true }),
    closedMember: await person('customer', { organizationId: closed!.id }),
    closedColleague: await person('customer', { organizationId: closed!.id }),
    disabledCustomer: await person('customer', { state: 'disabled' }),
    disabledAgent: await person('agent', { state: 'disabled' }),
    disabledAdmin: await person('admin', { state: 'disabled' }),
  };

  // Every combination, each with a CC on every other ticket.
  const requesters = [ids.requester, ids.sharingColleague, ids.closedColleague, ids.closedMember, ids.disabledCustomer];
  const combos = (['public', 'internal'] as const).flatMap((visibility) =>
    [null, sharing!.id, closed!.id].flatMap((organizationId) =>
      [null, restricted!.id, otherRestricted!.id, normal!.id].flatMap((groupId) =>
        requesters.map((requesterId) => ({ visibility, organizationId, groupId, requesterId })))));
  const ticketIds = await makeTickets(db, combos.length, (i) => combos[i]!);
  const ccd = ticketIds.filter((_, i) => i % 2 === 0);
  for (const ticketId of ccd) await makeCcs(db, ticketId, ids.ccd);
  // The disabled customer is also CC'd (on a few), so only the state keeps them out.
  for (const ticketId of ticketIds.filter((_, i) => i % 3 === 0)) await makeCcs(db, ticketId, ids.disabledCustomer);

  const facts = new Map(await Promise.all(ticketIds.map(async (id) => [id, (await loadTicketFacts(db, id))!] as const)));
  const actorOf = async (id: number): Promise<Actor> => ({
    ...toActor(await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow()),
    teams: await loadTeams(db, id),
  });

  const seen: Record<string, number> = {};
  for (const [name, id] of Object.entries(ids)) {
    const actor = await actorOf(id);
    // The scope as SQL alone (the agent rule's subqueries), and with the agent's groups already known.
    const inScope = new Set((await visibleTickets(db, { ...actor, teams: undefined }).select('tickets.id').execute()).map((r) => r.id));
    const inTeamScope = new Set((await visibleTickets(db, actor).select('tickets.id').execute()).map((r) => r.id));
    const inResolved = new Set((await (await resolvedScope(db, { ...actor, teams: undefined }))().select('tickets.id').execute()).map((r) => r.id));
    const disagree = ticketIds.filter((ticket) => can(actor, 'ticket.see', facts.get(ticket)!) !== inScope.has(ticket));
    t.same(disagree, [], `${name}: the predicate and the scope agree on all ${ticketIds.length} tickets`);
    const sorted = (set: Set<number>) => [...set].sort((a, b) => a - b);
    t.same(sorted(inTeamScope), sorted(inScope), `${name}: with the groups worked out first, the same set`);
    t.same(sorted(inResolved), sorted(inScope), `${name}: the statistics scope is the same set`);
    seen[name] = inScope.size;
  }

  // Not a vacuous agreement: each kind of person sees what the rule says, counted from the combinations.
  const count = (keep: (c: typeof combos[number], i: number) => boolean) => combos.filter(keep).length;
  const isPublic = (c: typeof combos[number]) => c.visibility === 'public';
  t.equal(seen.admin, combos.length, 'admins see every ticket');
  t.equal(seen.supervisor, combos.length, 'supervisors see every ticket');
  t.equal(seen.agent, combos.length, 'an agent in no group sees every ticket');
  t.equal(seen.agentInNormalGroup, combos.length, 'an agent in an ordinary group sees every ticket');
  t.equal(seen.agentRestrictedAndNormal, combos.length, 'an agent also in an ordinary group is not restricted');
  t.equal(seen.agentOnlyRestricted, count((c) => c.groupId === restricted!.id), 'a provider sees only their group\'s tickets');
  t.equal(seen.requester, count((c) => isPublic(c) && c.requesterId === ids.requester), 'a requester sees their public tickets');
  t.equal(seen.ccd, count((c, i) => isPublic(c) && i % 2 === 0), 'a CC sees the public tickets they are copied on');
  t.equal(seen.sharingMember, count((c) => isPublic(c) && c.organizationId === sharing!.id), 'a member of a sharing organisation sees its public tickets');
  t.equal(seen.closedManager, count((c) => isPublic(c) && c.organizationId === closed!.id), 'an organisation\'s manager sees its public tickets');
  t.equal(seen.closedMember, count((c) => isPublic(c) && c.requesterId === ids.closedMember), 'a member of a non-sharing organisation sees only their own');
  t.equal(seen.disabledCustomer, 0, 'a disabled customer sees nothing');
  t.equal(seen.disabledAgent, 0, 'a disabled agent sees nothing');
  t.equal(seen.disabledAdmin, 0, 'a disabled admin sees nothing');
});

t.test('the predicate refuses to guess when it lacks the facts it needs', async (t) => {
  const agent = { id: 5, role: 'agent' as const };
  const customer = { id: 6, role: 'customer' as const, organizationId: null, isOrgManager: false };
  t.throws(() => can(agent, 'ticket.see', { group_id: null }), /loadTeams/, 'an agent without their groups');
  t.throws(() => can(customer, 'ticket.see', { group_id: null }), /loadTicketFacts/, 'a customer asked about a ticket without its CCs');
  t.equal(can({ ...agent, teams: { groupIds: [], restrictedOnly: false } }, 'ticket.see', { group_id: null }), true);
});

t.test('the list and search work the agent rule out first, and see a change of groups at once', async (t) => {
  const { db } = await buildTestDesk(t);
  const at = new Date().toISOString();
  const [provider, ordinary] = await db.insertInto('groups').values([
    { name: 'Provider', is_restricted: 1, created_at: at }, { name: 'First line', is_restricted: 0, created_at: at },
  ]).returning('id').execute();
  const agent = await makeUser(db, 'agent');
  await db.insertInto('group_members').values({ group_id: provider!.id, user_id: agent.id }).execute();
  const customer = await makeUser(db, 'customer');
  const theirs = await makeTickets(db, 3, { requesterId: customer.id, groupId: provider!.id, subject: 'Printer jam' });
  const others = await makeTickets(db, 2, { requesterId: customer.id, groupId: ordinary!.id, subject: 'Printer jam' });
  const actor = toActor(await db.selectFrom('users').selectAll().where('id', '=', agent.id).executeTakeFirstOrThrow());
  const filter = parseListQuery({ view: 'all_open' });
  const listed = async () => (await listTicketPage(db, actor, filter, null)).rows.map((r) => r.id).sort((a, b) => a - b);

  t.same(await listed(), theirs, 'a provider\'s list: only their group\'s tickets');
  const statement = listPageQuery(db, await withTeams(db, actor), filter, null, await statusLookup(db)).compile().sql;
  t.notMatch(statement, /group_members/, 'the rule is worked out before the statement: no group subqueries in it');
  t.match(statement, /"tickets"\."group_id" in/, 'their groups are a plain condition');
  t.same((await searchForAgent(db, actor, 'printer', 1, false)).rows.map((r) => r.id).sort((a, b) => a - b), theirs, 'search: the same');

  await db.insertInto('group_members').values({ group_id: ordinary!.id, user_id: agent.id }).execute();
  t.same(await listed(), [...theirs, ...others].sort((a, b) => a - b), 'added to an ordinary group: every ticket, at once');
  t.notMatch(listPageQuery(db, await withTeams(db, actor), filter, null, await statusLookup(db)).compile().sql, /"tickets"\."group_id" in|group_members/, 'and no group condition at all');
});
