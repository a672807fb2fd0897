import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Priority, StatusCategory } from '../db/schema.js';
import { fileAt } from './files.js';
import { isObject, jsonObjects, listOf, type JsonObject } from './json-files.js';
import { emailOf, emptyExport, idOf, isoTime, nameOf, RowError, textOf, type SourceExport, type SourceFile, type SourceMessage } from './model.js';

/**
 * Freshdesk's JSON (API v2 shapes): tickets with their `conversations` (as `?include=conversations`
 * returns them), contacts, agents and companies, as arrays or `{"tickets": [...]}`-style documents.
 * The ticket's description is its first message, by the requester; a conversation is an internal
 * note when `private`. Files from `attachments/<id>/<name>` or `attachments/<name>` beside the
 * export, never from `attachment_url`.
 */

// Freshdesk's numbered statuses and priorities (2 Open, 3 Pending, 4 Resolved, 5 Closed; 1 Low … 4 Urgent).
const STATUSES: Record<string, StatusCategory> = { 2: 'open', 3: 'pending', 4: 'solved', 5: 'closed' };
const PRIORITIES: Record<string, Priority> = { 1: 'low', 2: 'normal', 3: 'high', 4: 'urgent' };

export async function readFreshdesk(paths: string[]): Promise<SourceExport> {
  const data = emptyExport('freshdesk');
  for (const path of paths) {
    const dir = dirname(path);
    for (const { key, object } of await jsonObjects(path, data.problems)) {
      const kind = kindOf(key, object);
      try {
        if (kind === 'organization') {
          data.organizations.push({ id: idOf(object.id, 'id'), name: idOf(object.name, 'name'), domains: Array.isArray(object.domains) ? object.domains.map(textOf) : [], notes: [textOf(object.description), textOf(object.note)].filter(Boolean).join('\n\n') });
        } else if (kind === 'person') {
          // An agent carries its person in `contact`; a contact is the person.
          const staff = isObject(object.contact);
          const person = staff ? object.contact as JsonObject : object;
          const email = emailOf(person.email);
          data.people.push({ id: idOf(object.id, 'id'), email, name: nameOf(person.name, email), staff, organizationId: object.company_id == null ? null : textOf(object.company_id) });
        } else if (kind === 'ticket') {
          data.tickets.push(ticketOf(object, dir));
        }
      } catch (error) {
        if (!(error instanceof RowError)) throw error;
        data.problems.push({ kind: kind ?? 'ticket', id: textOf(object.id) || '?', reason: error.message });
      }
    }
  }
  return data;
}

function kindOf(key: string | null, o: JsonObject): 'organization' | 'person' | 'ticket' | null {
  if (key === 'companies' || 'domains' in o) return 'organization';
  if (key === 'tickets' || 'requester_id' in o) return 'ticket';
  if (key === 'contacts' || key === 'agents' || 'email' in o || isObject(o.contact)) return 'person';
  return null;
}

function ticketOf(o: JsonObject, dir: string) {
  const id = idOf(o.id, 'id');
  const requesterId = idOf(o.requester_id, 'requester_id');
  const createdAt = isoTime(o.created_at, 'created_at');
  const status = STATUSES[textOf(o.status)] ?? 'open';
  const priority = PRIORITIES[textOf(o.priority)];
  if (o.priority != null && !priority) throw new RowError(`unknown priority ${textOf(o.priority)}`);
  const description: SourceMessage = {
    id: `${id}-description`, authorId: requesterId, public: true, text: textOf(o.description_text),
    html: typeof o.description === 'string' ? o.description : null, createdAt, files: listOf(o.attachments).map((a) => attachment(a, dir)),
  };
  const conversations = listOf(o.conversations).map((c): SourceMessage => ({
    id: idOf(c.id, 'conversation id'), authorId: idOf(c.user_id, 'user_id'), public: c.private !== true, text: textOf(c.body_text),
    html: typeof c.body === 'string' ? c.body : null, createdAt: isoTime(c.created_at, 'conversation created_at'), files: listOf(c.attachments).map((a) => attachment(a, dir)),
  }));
  return { id, subject: textOf(o.subject), status, priority: priority ?? 'normal', requesterId, createdAt, messages: [description, ...conversations] };
}

function attachment(a: JsonObject, dir: string): SourceFile {
  const id = textOf(a.id);
  const name = textOf(a.name) || `attachment-${id}`;
  const local = [join('attachments', id, name), join('attachments', name)].find((candidate) => existsSync(join(dir, candidate)));
  return fileAt(id, name, { path: local, url: a.attachment_url }, dir);
}
