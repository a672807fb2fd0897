import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { fileAt } from './files.js';
import {
  emailOf, emptyExport, isoTime, nameOf, priorityOf, RowError, statusCategory, textOf, type SourceExport, type SourcePerson, type SourceTicket,
} from './model.js';

/**
 * Deskbell's own CSV of tickets and messages (docs/import.md): one row per message, the ticket's
 * columns on its first row. People are named by address; files by paths beside the CSV.
 */

export const CSV_COLUMNS = [
  'ticket_id', 'subject', 'status', 'priority', 'requester_email', 'requester_name', 'organization',
  'message_id', 'created_at', 'author_email', 'author_name', 'author_role', 'visibility', 'body', 'attachments',
] as const;
const REQUIRED = ['ticket_id', 'message_id', 'created_at', 'author_email', 'body'];

/** The CSV's `author_role` (the other desk's word, not a Deskbell role): whether the author is staff. */
const AUTHOR_IS_STAFF: Record<string, boolean | undefined> = { customer: false, agent: true };

type Row = Partial<Record<(typeof CSV_COLUMNS)[number], string>>;

/** Parse CSV text into header-named rows with their line numbers (csv-parse, loaded when needed). */
export async function csvRows(text: string): Promise<{ header: string[]; rows: { line: number; values: Record<string, string> }[] }> {
  const { parse } = await import('csv-parse/sync');
  const records = parse(text, { info: true, bom: true, skip_empty_lines: true, relax_column_count: true }) as unknown as { record: string[]; info: { lines: number } }[];
  const [head, ...data] = records;
  const header = (head?.record ?? []).map((h) => h.trim());
  return {
    header,
    rows: data.map(({ record, info }) => ({ line: info.lines, values: Object.fromEntries(header.map((name, i) => [name, record[i] ?? ''])) })),
  };
}

export async function readDeskbellCsv(paths: string[]): Promise<SourceExport> {
  const data = emptyExport('csv');
  const people = new Map<string, SourcePerson>();
  const organizations = new Set<string>();
  const tickets = new Map<string, SourceTicket>();
  const failed = new Set<string>();
  const person = (email: string, name: unknown, staff: boolean, organization: string | null) => {
    const known = people.get(email);
    if (known) return known;
    const made: SourcePerson = { id: email, email, name: nameOf(name, email), staff, organizationId: organization };
    people.set(email, made);
    return made;
  };
  for (const path of paths) {
    const { header, rows } = await csvRows(await readFile(path, 'utf8'));
    const missing = REQUIRED.filter((column) => !header.includes(column));
    if (missing.length > 0) throw new Error(`${basename(path)}: the header lacks ${missing.join(', ')} (see docs/import.md)`);
    for (const { line, values } of rows) {
      const row = values as Row;
      const messageId = textOf(row.message_id).trim() || `${basename(path)} line ${line}`;
      const ticketId = textOf(row.ticket_id).trim();
      if (failed.has(ticketId)) {
        data.problems.push({ kind: 'message', id: messageId, reason: `its ticket ${ticketId} could not be read` });
        continue;
      }
      let ticket = tickets.get(ticketId);
      if (!ticket) {
        try {
          if (!ticketId) throw new RowError('no ticket_id');
          const requesterEmail = emailOf(row.requester_email);
          const organization = textOf(row.organization).trim() || null;
          if (organization) organizations.add(organization);
          person(requesterEmail, row.requester_name, false, organization);
          ticket = {
            id: ticketId, subject: textOf(row.subject).trim(), status: statusCategory(row.status || 'open'), priority: priorityOf(row.priority),
            requesterId: requesterEmail, createdAt: isoTime(row.created_at, 'created_at'), messages: [],
          };
          tickets.set(ticketId, ticket);
        } catch (error) {
          if (!(error instanceof RowError)) throw error;
          if (ticketId) failed.add(ticketId);
          data.problems.push({ kind: 'ticket', id: ticketId || messageId, reason: error.message });
          continue;
        }
      }
      try {
        const authorEmail = emailOf(row.author_email);
        const role = textOf(row.author_role).trim().toLowerCase();
        const staff = role ? AUTHOR_IS_STAFF[role] : authorEmail !== ticket.requesterId;
        if (staff === undefined) throw new RowError(`author_role "${role}" is neither customer nor agent`);
        const visibility = textOf(row.visibility).trim().toLowerCase() || 'public';
        if (visibility !== 'public' && visibility !== 'internal') throw new RowError(`visibility "${visibility}" is neither public nor internal`);
        person(authorEmail, row.author_name, staff, null);
        const createdAt = isoTime(row.created_at, 'created_at');
        if (createdAt < ticket.createdAt) ticket.createdAt = createdAt;
        const files = textOf(row.attachments).split('|').map((p) => p.trim()).filter(Boolean)
          .map((p) => fileAt(`${messageId}/${basename(p)}`, basename(p), { path: p }, dirname(path)));
        ticket.messages.push({ id: messageId, authorId: authorEmail, public: visibility === 'public', text: textOf(row.body), html: null, createdAt, files });
      } catch (error) {
        if (!(error instanceof RowError)) throw error;
        data.problems.push({ kind: 'message', id: messageId, reason: error.message });
      }
    }
  }
  data.organizations = [...organizations].map((name) => ({ id: name, name, domains: [], notes: '' }));
  data.people = [...people.values()];
  data.tickets = [...tickets.values()];
  return data;
}
