import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileAt } from './files.js';
import { jsonObjects, listOf, type JsonObject } from './json-files.js';
import {
  emailOf, emptyExport, idOf, isoTime, nameOf, priorityOf, RowError, statusCategory, textOf, type SourceExport, type SourceFile, type SourceMessage,
} from './model.js';

/**
 * Zendesk's JSON: tickets (each with its `comments`, as the account's JSON export writes them),
 * users and organizations, as NDJSON files or API-shaped documents (`{"tickets": [...]}`), in any
 * number of files. Field names as Zendesk's API reference documents them. Attachments are read from
 * `attachments/<attachment id>/<file_name>` or `attachments/<file_name>` beside the export, never
 * from `content_url`.
 */
/** Zendesk's user roles (`end-user`, `agent`, `admin`) of its staff: agents here. */
const ZENDESK_STAFF = new Set(['agent', 'admin']);

export async function readZendesk(paths: string[]): Promise<SourceExport> {
  const data = emptyExport('zendesk');
  for (const path of paths) {
    const dir = dirname(path);
    for (const { key, object } of await jsonObjects(path, data.problems)) {
      const kind = kindOf(key, object);
      const id = textOf(object.id) || '?';
      try {
        if (kind === 'organization') {
          data.organizations.push({ id: idOf(object.id, 'id'), name: idOf(object.name, 'name'), domains: listOfStrings(object.domain_names), notes: [textOf(object.details), textOf(object.notes)].filter(Boolean).join('\n\n') });
        } else if (kind === 'person') {
          const email = emailOf(object.email);
          data.people.push({ id: idOf(object.id, 'id'), email, name: nameOf(object.name, email), staff: ZENDESK_STAFF.has(textOf(object.role)), organizationId: object.organization_id == null ? null : textOf(object.organization_id) });
        } else if (kind === 'ticket') {
          data.tickets.push(ticketOf(object, dir));
        }
      } catch (error) {
        if (!(error instanceof RowError)) throw error;
        data.problems.push({ kind: kind ?? 'ticket', id, reason: error.message });
      }
    }
  }
  return data;
}

function kindOf(key: string | null, o: JsonObject): 'organization' | 'person' | 'ticket' | null {
  if (key === 'organizations' || 'domain_names' in o) return 'organization';
  if (key === 'users' || ('role' in o && 'email' in o)) return 'person';
  if (key === 'tickets' || 'requester_id' in o) return 'ticket';
  return null;
}

function ticketOf(o: JsonObject, dir: string) {
  const id = idOf(o.id, 'id');
  const requesterId = idOf(o.requester_id, 'requester_id');
  const createdAt = isoTime(o.created_at, 'created_at');
  const comments = listOf(o.comments);
  const messages: SourceMessage[] = comments.length > 0
    ? comments.map((c) => ({
      id: idOf(c.id, 'comment id'), authorId: idOf(c.author_id, 'author_id'), public: c.public !== false,
      text: textOf(c.plain_body ?? c.body), html: typeof c.html_body === 'string' ? c.html_body : null,
      createdAt: isoTime(c.created_at, 'comment created_at'), files: listOf(c.attachments).map((a) => attachment(a, dir)),
    }))
    // A ticket without its comments (the tickets endpoint alone): its description is the first message.
    : [{ id: `${id}-description`, authorId: requesterId, public: true, text: textOf(o.description), html: null, createdAt, files: [] }];
  return {
    id, subject: textOf(o.subject ?? o.raw_subject), status: statusCategory(o.status ?? 'open'), priority: priorityOf(o.priority ?? ''),
    requesterId, createdAt, messages,
  };
}

function attachment(a: JsonObject, dir: string): SourceFile {
  const id = textOf(a.id);
  const name = textOf(a.file_name) || `attachment-${id}`;
  const candidates = [join('attachments', id, name), join('attachments', name)];
  const local = candidates.find((candidate) => existsSync(join(dir, candidate)));
  return fileAt(id, name, { path: local, url: a.content_url }, dir);
}

function listOfStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(textOf).filter(Boolean) : [];
}
