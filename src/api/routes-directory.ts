import type { Db } from '../db/connect.js';
import { fieldsOfType, parseOptions } from '../fields/fields.js';
import { listGroups } from '../groups/queries.js';
import { Forbidden, Malformed, NotFound } from '../lib/errors.js';
import { listMacros } from '../macros/macros.js';
import { domainsOf } from '../organizations/domains.js';
import { findOrganization, listOrganizations } from '../organizations/queries.js';
import { parsePeopleQuery } from '../people/list-query.js';
import { findPerson, listPeople } from '../people/queries.js';
import { can, type RoleAction } from '../policy/can.js';
import { MAX_PAGE, searchForAgent } from '../search/index.js';
import { customerTopics } from '../submissions/queries.js';
import { listTicketPage } from '../tickets/list.js';
import { EMPTY_FILTER } from '../tickets/list-filter.js';
import { listWorkflow } from '../tickets/queries.js';
import { listTypes, listFields } from '../catalog/queries.js';
import { tagsWithCounts } from '../tags/queries.js';
import type { Actor } from '../users/actor.js';
import * as z from 'zod';
import type { Define } from './define.js';
import { presentTickets } from './present.js';
import { Field, Group, IdParam, ListQuery, Macro, Me, Organization, page, Person, SearchQuery, SearchResult, Status, Tag, TicketType } from './shapes.js';

function must(actor: Actor, action: RoleAction): void {
  if (!can(actor, action)) throw new Forbidden();
}

/** The desk's directory and settings as the caller may read them, and search. Read only. */
export function directoryRoutes(define: Define, db: Db) {
  define({
    method: 'GET', path: '/v1/me', operationId: 'me', tag: 'Directory', access: 'read',
    summary: 'Who the token is', description: 'The person the request acts as, and the token\'s scope (null for a session).',
    response: { status: 200, description: 'The caller.', schema: Me },
    handler: async ({ request, actor }) => {
      const person = await findPerson(db, actor.id);
      if (!person) throw new NotFound();
      return { id: person.id, name: person.name, email: person.email, role: person.role, token: request.apiToken ? { id: request.apiToken.id, scope: request.apiToken.scope } : null };
    },
  });

  define({
    method: 'GET', path: '/v1/people', operationId: 'listPeople', tag: 'Directory', access: 'read',
    summary: 'List people', description: 'Staff only. By name; `q` finds names and addresses, `role` and `state` narrow the list.',
    query: ListQuery.extend({ role: z.string().optional(), state: z.string().optional() }), problems: [400],
    response: { status: 200, description: 'A page of people.', schema: page(Person) },
    handler: async ({ request, actor }) => {
      must(actor, 'directory.read');
      const query = parsePeopleQuery(request.query as Record<string, string | undefined>);
      const { people, next } = await listPeople(db, query, query.after);
      return {
        items: people.map((p) => ({ id: p.id, name: p.name, email: p.email, role: p.role, state: p.state, isOrgManager: p.is_org_manager === 1 })),
        next: next === null ? null : `/api/v1/people?${new URLSearchParams({ ...(query.q ? { q: query.q } : {}), ...(query.role ? { role: query.role } : {}), ...(query.state ? { state: query.state } : {}), after: String(next) })}`,
      };
    },
  });

  define({
    method: 'GET', path: '/v1/people/:id', operationId: 'getPerson', tag: 'Directory', access: 'read',
    summary: 'Get a person', description: 'Staff only.', params: IdParam, problems: [404],
    response: { status: 200, description: 'The person.', schema: Person },
    handler: async ({ actor, params }) => {
      must(actor, 'directory.read');
      const p = await findPerson(db, params.id);
      if (!p) throw new NotFound();
      return {
        id: p.id, name: p.name, email: p.email, role: p.role, state: p.state, isOrgManager: p.is_org_manager === 1,
        organization: p.organization_id === null ? null : { id: p.organization_id, name: p.organization_name ?? '' },
      };
    },
  });

  define({
    method: 'GET', path: '/v1/organizations', operationId: 'listOrganizations', tag: 'Directory', access: 'read',
    summary: 'List organisations', description: 'Staff only. By name; `q` finds names.', query: ListQuery, problems: [400],
    response: { status: 200, description: 'A page of organisations.', schema: page(Organization) },
    handler: async ({ actor, query }) => {
      must(actor, 'directory.read');
      const q = query.q?.trim() ?? '';
      const { organizations, next } = await listOrganizations(db, q, query.after ?? null);
      return {
        items: organizations.map((o) => ({ id: o.id, name: o.name, domains: domainsOf(o.domains), membersSeeAllTickets: o.members_see_all_tickets === 1, members: Number(o.members ?? 0) })),
        next: next === null ? null : `/api/v1/organizations?${new URLSearchParams({ ...(q ? { q } : {}), after: String(next) })}`,
      };
    },
  });

  define({
    method: 'GET', path: '/v1/organizations/:id', operationId: 'getOrganization', tag: 'Directory', access: 'read',
    summary: 'Get an organisation', description: 'Staff only, with the staff\'s notes.', params: IdParam, problems: [404],
    response: { status: 200, description: 'The organisation.', schema: Organization },
    handler: async ({ actor, params }) => {
      must(actor, 'directory.read');
      const o = await findOrganization(db, params.id);
      if (!o) throw new NotFound();
      return { id: o.id, name: o.name, domains: domainsOf(o.domains), membersSeeAllTickets: o.members_see_all_tickets === 1, notes: o.notes };
    },
  });

  define({
    method: 'GET', path: '/v1/groups', operationId: 'listGroups', tag: 'Directory', access: 'read',
    summary: 'List groups', description: 'Staff only.',
    response: { status: 200, description: 'Every group.', schema: z.object({ items: z.array(Group) }) },
    handler: async ({ actor }) => {
      must(actor, 'directory.read');
      const groups = await listGroups(db);
      return { items: groups.map((g) => ({ id: g.id, name: g.name, description: g.description, restricted: g.is_restricted === 1, memberCount: Number(g.member_count ?? 0) })) };
    },
  });

  define({
    method: 'GET', path: '/v1/ticket-types', operationId: 'listTicketTypes', tag: 'Settings', access: 'read',
    summary: 'List ticket types', description: 'Staff: every type in use. Customers: the topics they may choose in the portal.',
    response: { status: 200, description: 'The types, with their fields\' keys.', schema: z.object({ items: z.array(TicketType) }) },
    handler: async ({ actor }) => {
      const staff = can(actor, 'desk.use');
      const types = staff
        ? (await listTypes(db)).filter((type) => type.retired_at === null).map((type) => ({ id: type.id, name: type.name, customerCanChoose: type.customer_can_choose === 1, defaultPriority: type.default_priority }))
        : (await customerTopics(db)).map((type) => ({ id: type.id, name: type.name, description: type.description }));
      const items = [];
      for (const type of types) {
        const fields = (await fieldsOfType(db, type.id)).filter((f) => staff || f.customer_visible === 1);
        items.push({ ...type, fields: fields.map((f) => f.key) });
      }
      return { items };
    },
  });

  define({
    method: 'GET', path: '/v1/fields', operationId: 'listFields', tag: 'Settings', access: 'read',
    summary: 'List custom fields', description: 'Staff: every field in use. Customers: the fields they see and fill in.',
    response: { status: 200, description: 'The fields.', schema: z.object({ items: z.array(Field) }) },
    handler: async ({ actor }) => {
      const staff = can(actor, 'desk.use');
      const fields = (await listFields(db)).filter((f) => f.retired_at === null && (staff || f.customer_visible === 1));
      return {
        items: fields.map((f) => ({
          id: f.id, key: f.key, label: f.label, kind: f.kind,
          options: parseOptions(f.options).filter((o) => !o.retired).map((o) => ({ value: o.value, label: o.label })),
          requiredForCustomer: f.required_for_customer === 1, requiredForAgent: f.required_for_agent === 1, customerVisible: f.customer_visible === 1,
        })),
      };
    },
  });

  define({
    method: 'GET', path: '/v1/statuses', operationId: 'listStatuses', tag: 'Settings', access: 'read',
    summary: 'List statuses', description: 'The workflow in order. Customers read each status by its customer label.',
    response: { status: 200, description: 'The statuses.', schema: z.object({ items: z.array(Status) }) },
    handler: async ({ actor }) => {
      const staff = can(actor, 'desk.use');
      const statuses = await listWorkflow(db);
      return {
        items: statuses.map((s) => (staff
          ? { id: s.id, name: s.name, category: s.category, customerLabel: s.customer_label }
          : { id: s.id, name: s.customer_label || s.name, category: s.category })),
      };
    },
  });

  define({
    method: 'GET', path: '/v1/tags', operationId: 'listTags', tag: 'Settings', access: 'read',
    summary: 'List tags', description: 'Staff only (tags are internal).',
    response: { status: 200, description: 'The tags.', schema: z.object({ items: z.array(Tag) }) },
    handler: async ({ actor }) => {
      must(actor, 'ticket.tag');
      return { items: (await tagsWithCounts(db)).map((tag) => ({ id: tag.id, name: tag.name })) };
    },
  });

  define({
    method: 'GET', path: '/v1/macros', operationId: 'listMacros', tag: 'Settings', access: 'read',
    summary: 'List macros', description: 'Staff only: one\'s own macros and those shared with one.',
    response: { status: 200, description: 'The macros.', schema: z.object({ items: z.array(Macro) }) },
    handler: async ({ actor }) => {
      must(actor, 'macros.use');
      return { items: (await listMacros(db, actor)).map((m) => ({ id: m.id, name: m.name, kind: m.kind, body: m.body, shared: m.shared === 1 })) };
    },
  });

  define({
    method: 'GET', path: '/v1/search', operationId: 'search', tag: 'Tickets', access: 'read',
    summary: 'Search tickets',
    description: 'Staff: the desk\'s search (subjects, messages with notes, people, fields; filters like `status:open`), ranked, 20 a page. Customers: their tickets whose subject or public messages hold the words, newest first.',
    query: SearchQuery, problems: [400],
    response: { status: 200, description: 'The matching tickets.', schema: SearchResult },
    handler: async ({ actor, query }) => {
      const q = query.q.trim();
      const pageNo = query.page ?? 1;
      if (pageNo < 1 || pageNo > MAX_PAGE) throw new Malformed('search.badRequest');
      if (can(actor, 'desk.use')) {
        const result = await searchForAgent(db, actor, q, pageNo, false);
        const ids = result.jump !== null ? [result.jump] : result.rows.map((r) => r.id);
        const tickets = new Map((await presentTickets(db, actor, ids, { detail: false })).map((s) => [s.ticket.id as number, s.ticket]));
        const excerpts = new Map(result.rows.map((r) => [r.id, r.hit?.snippetHtml ?? null]));
        return {
          items: ids.flatMap((id) => (tickets.has(id) ? [{ ticket: tickets.get(id)!, excerptHtml: excerpts.get(id) ?? null }] : [])),
          next: result.more ? `/api/v1/search?${new URLSearchParams({ q, page: String(pageNo + 1) })}` : null,
        };
      }
      if (q.length < 2) return { items: [], next: null };
      const found = await listTicketPage(db, actor, { ...EMPTY_FILTER, search: q }, null);
      const tickets = await presentTickets(db, actor, found.rows.map((r) => r.id), { detail: false });
      return { items: tickets.map((s) => ({ ticket: s.ticket, excerptHtml: null })), next: null };
    },
  });
}
