import * as z from 'zod';
import { PRIORITIES } from '../tickets/tickets.js';

/**
 * The API's request and response shapes as zod schemas, declared once: the routes check requests
 * against them, and the OpenAPI document (openapi.ts) is generated from them. Bodies are JSON with
 * typed values (ids as integers, null for "none"); the routes hand them to the same schemas and
 * verbs as the pages' forms, so the rules and messages are the pages'.
 */

const CATEGORIES = ['draft', 'new', 'open', 'pending', 'on_hold', 'solved', 'closed', 'cancelled'] as const;
const VISIBILITY = ['public', 'internal'] as const;

export const IdParam = z.object({ id: z.string().regex(/^\d{1,12}$/).transform(Number).meta({ description: 'The id (a positive integer).' }) });

const id = z.number().int().positive();
const time = z.string().meta({ description: 'UTC, ISO 8601 with milliseconds.', examples: ['2026-12-06T08:00:00.000Z'] });
const ref = z.object({ id, name: z.string() });

/** A page of a list: the items and the address of the next page (null on the last). */
export function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), next: z.string().nullable().meta({ description: 'The next page\'s address (cursor included), or null on the last page.' }) });
}

export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string(),
  errors: z.array(z.object({ pointer: z.string(), detail: z.string(), code: z.string() })).optional()
    .meta({ description: 'One entry per field with a mistake: a JSON pointer into the body (or `#/query/<name>`), the message, and its catalogue key.' }),
}).meta({ id: 'Problem', description: 'An error (RFC 9457).' });

export const Ticket = z.object({
  id,
  subject: z.string(),
  status: z.object({ id: id.optional(), name: z.string(), category: z.enum(CATEGORIES) }).meta({ description: 'Customers read the status by its customer label, without its id.' }),
  priority: z.enum(PRIORITIES).optional(),
  visibility: z.enum(VISIBILITY).optional(),
  type: ref.optional(),
  requester: z.object({ id, name: z.string(), email: z.string().optional() }),
  organization: ref.nullable(),
  assignee: ref.nullable().optional(),
  group: ref.nullable().optional(),
  brand: ref.optional(),
  channel: z.string().optional(),
  tags: z.array(z.string()).optional(),
  fields: z.record(z.string(), z.string()).optional().meta({ description: 'Custom field values by key (GET of one ticket only). Customers see customer-visible fields.' }),
  ccs: z.array(z.object({ id, name: z.string(), email: z.string() })).optional(),
  createdAt: time,
  updatedAt: time,
  lastActivityAt: time,
  solvedAt: time.nullable().optional(),
  closedAt: time.nullable().optional(),
}).meta({ id: 'Ticket', description: 'A ticket as the caller may see it: staff see every property, customers what the portal shows.' });

export const TicketList = page(Ticket).meta({ id: 'TicketList' });

export const TicketQuery = z.object({
  view: z.string().optional().meta({ description: 'A built-in view of the agent list (my_open, unassigned, all_open, pending, on_hold, solved, all, sla_soon, sla_breached, snoozed, group-<id>). Staff only.' }),
  status: z.string().optional().meta({ description: 'A status id, or `category:<category>`.' }),
  assignee: z.string().optional().meta({ description: '`me`, `unassigned` or a staff id. Staff only.' }),
  group: z.string().optional().meta({ description: 'Staff only.' }),
  type: z.string().optional().meta({ description: 'Staff only.' }),
  priority: z.enum(PRIORITIES).optional().meta({ description: 'Staff only.' }),
  brand: z.string().optional().meta({ description: 'Staff only.' }),
  org: z.string().optional().meta({ description: 'Staff only.' }),
  requester: z.string().optional().meta({ description: 'Staff only.' }),
  tag: z.union([z.string(), z.array(z.string())]).optional().meta({ description: 'Tags the tickets must all carry (repeat the parameter). Staff only.' }),
  sort: z.string().optional().meta({ description: 'activity, created, priority, id (newest or highest first), the same with `_asc`, or sla.' }),
  q: z.string().max(100).optional().meta({ description: 'Words in subjects and public messages.' }),
  after: z.string().max(200).optional().meta({ description: 'The cursor of the page to read (from `next`).' }),
});

/** A new ticket: staff open one for a requester (by address); customers submit their own. */
export const NewTicket = z.object({
  subject: z.string().meta({ description: 'One line, at most 200 characters.' }),
  message: z.string().meta({ description: 'The first message (plain text or Markdown).' }),
  typeId: id.nullable().optional().meta({ description: 'The ticket type (customers: a topic they may choose); the default when left out.' }),
  requesterEmail: z.string().optional().meta({ description: 'Staff: who the ticket is for (an unknown address becomes an invited customer). Customers leave it out.' }),
  requesterName: z.string().optional().meta({ description: 'Staff: the name of a new requester.' }),
  priority: z.enum(PRIORITIES).nullable().optional().meta({ description: 'Staff: the type\'s default when left out.' }),
  visibility: z.enum(VISIBILITY).optional().meta({ description: 'Staff: `internal` keeps the ticket among staff.' }),
  brandId: id.nullable().optional().meta({ description: 'Customers: the brand, when the desk has several.' }),
  serviceId: id.nullable().optional().meta({ description: 'Customers: one of their active services.' }),
  fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional().meta({ description: 'Customers: the topic\'s custom fields by key.' }),
  uploadIds: z.array(id).max(10).optional().meta({ description: 'Customers: files uploaded before with POST /api/v1/uploads.' }),
}).strict().meta({ id: 'NewTicket' });

/** A change to a ticket: only what is given changes. */
export const TicketPatch = z.object({
  subject: z.string().optional(),
  priority: z.enum(PRIORITIES).optional(),
  visibility: z.enum(VISIBILITY).optional(),
  typeId: id.optional(),
  statusId: id.optional(),
  assigneeId: id.nullable().optional().meta({ description: 'A staff member, or null for nobody.' }),
  groupId: id.nullable().optional().meta({ description: 'A group, or null for none.' }),
  requesterEmail: z.string().optional(),
  ccs: z.array(z.string()).max(20).optional().meta({ description: 'The CC list as it should be (addresses).' }),
  fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional()
    .meta({ description: 'Custom fields of the ticket\'s type by key; null or "" removes a value.' }),
  tags: z.array(z.string()).max(50).optional().meta({ description: 'The tags as they should be.' }),
}).strict().meta({ id: 'TicketPatch' });

export const Attachment = z.object({ id, filename: z.string(), size: z.number().int(), contentType: z.string(), href: z.string() }).meta({ id: 'Attachment' });

export const Message = z.object({
  id,
  kind: z.enum(['reply', 'update', 'note', 'chat']).meta({ description: 'reply and update are public, note is internal (staff only), chat is the messenger.' }),
  author: z.object({ id: id.nullable(), name: z.string().nullable(), side: z.enum(['staff', 'customer']).nullable() }),
  bodyText: z.string(),
  bodyHtml: z.string().meta({ description: 'The sanitised HTML rendering.' }),
  via: z.string(),
  createdAt: time,
  attachments: z.array(Attachment),
}).meta({ id: 'Message' });

export const MessageList = z.object({ items: z.array(Message) }).meta({ id: 'MessageList' });

export const NewMessage = z.object({
  kind: z.enum(['reply', 'update', 'note']).optional().meta({ description: 'Staff: reply (public, mailed), update (public service record), note (internal). Customers write replies only. Default: reply.' }),
  body: z.string(),
  statusId: id.nullable().optional().meta({ description: 'Staff: a status to move the ticket to with the message.' }),
  uploadIds: z.array(id).max(10).optional().meta({ description: 'Files uploaded before with POST /api/v1/uploads.' }),
}).strict().meta({ id: 'NewMessage', description: 'As JSON, or as multipart/form-data with the same fields (`kind`, `body`, `statusId`) and the files as parts.' });

export const Uploads = z.object({
  uploads: z.array(Attachment),
  rejected: z.array(z.object({ filename: z.string(), reason: z.string(), message: z.string() })),
}).meta({ id: 'Uploads' });

export const Person = z.object({
  id, name: z.string(), email: z.string(), role: z.enum(['admin', 'supervisor', 'agent', 'customer']), state: z.string(),
  organization: ref.nullable().optional(), isOrgManager: z.boolean().optional(),
}).meta({ id: 'Person' });

export const Organization = z.object({
  id, name: z.string(), domains: z.array(z.string()), membersSeeAllTickets: z.boolean(), members: z.number().int().optional(), notes: z.string().optional(),
}).meta({ id: 'Organization' });

export const Group = z.object({ id, name: z.string(), description: z.string(), restricted: z.boolean(), memberCount: z.number().int() }).meta({ id: 'Group' });

export const TicketType = z.object({
  id, name: z.string(), description: z.string().optional(), customerCanChoose: z.boolean().optional(), defaultPriority: z.string().optional(),
  fields: z.array(z.string()).meta({ description: 'The keys of the type\'s custom fields, in order.' }),
}).meta({ id: 'TicketType' });

export const Field = z.object({
  id, key: z.string(), label: z.string(), kind: z.string(), options: z.array(z.object({ value: z.string(), label: z.string() })),
  requiredForCustomer: z.boolean(), requiredForAgent: z.boolean(), customerVisible: z.boolean(),
}).meta({ id: 'Field' });

export const Status = z.object({ id, name: z.string(), category: z.enum(CATEGORIES), customerLabel: z.string().optional() }).meta({ id: 'Status' });

export const Tag = z.object({ id, name: z.string() }).meta({ id: 'Tag' });

export const Macro = z.object({ id, name: z.string(), kind: z.string(), body: z.string(), shared: z.boolean() }).meta({ id: 'Macro' });

export const SearchResult = z.object({
  items: z.array(z.object({ ticket: Ticket, excerptHtml: z.string().nullable().meta({ description: 'Staff: the best matching message, the words marked (HTML, escaped).' }) })),
  next: z.string().nullable(),
}).meta({ id: 'SearchResult' });

export const SearchQuery = z.object({
  q: z.string().max(200).meta({ description: 'Words (staff: with filters like `status:open`, `tag:billing`, `#123`).' }),
  page: z.string().regex(/^\d{1,2}$/).transform(Number).optional(),
});

export const Me = z.object({ id, name: z.string(), email: z.string(), role: z.string(), token: z.object({ id, scope: z.enum(['read', 'write']) }).nullable() }).meta({ id: 'Me' });

export const ListQuery = z.object({
  q: z.string().max(200).optional(),
  after: z.string().regex(/^\d{1,12}$/).transform(Number).optional().meta({ description: 'The cursor of the page to read (from `next`).' }),
});
