import type { Priority, StatusCategory } from '../db/schema.js';
import type { ImportSource } from './schema.js';

/**
 * What every export is read into (one reader per product: zendesk.ts, freshdesk.ts, osticket.ts,
 * csv.ts), and what the writer (writer.ts) takes. Ids are the export's own, as text; people are
 * referred to by their id in the export (for exports that name people only by address, the address).
 */

export interface SourceOrganization {
  id: string;
  name: string;
  domains: string[];
  notes: string;
}

export interface SourcePerson {
  id: string;
  name: string;
  email: string;
  /** An agent or admin of the other desk: an agent here (never an admin: a file grants no such right). */
  staff: boolean;
  organizationId: string | null;
}

/** A file of a message: a file on this machine. Never a URL: nothing is fetched. */
export interface SourceFile {
  id: string;
  name: string;
  /** An absolute path (readers resolve paths beside the export). */
  path?: string;
  /** What the export names but does not hold (a URL): reported, never fetched. */
  missing?: string;
}

export interface SourceMessage {
  id: string;
  authorId: string;
  /** Public: what the customer reads (a reply). Not public: an internal note. */
  public: boolean;
  text: string;
  /** HTML as the export has it (sanitised before it is stored), when it has any. */
  html: string | null;
  createdAt: string;
  files: SourceFile[];
}

export interface SourceTicket {
  id: string;
  subject: string;
  status: StatusCategory;
  priority: Priority;
  requesterId: string;
  createdAt: string;
  /** Oldest first; the first becomes the ticket's first message. */
  messages: SourceMessage[];
}

/** A row the reader could not read: reported with its id and reason, the rest goes on. */
export interface RowProblem {
  kind: 'organization' | 'person' | 'ticket' | 'message';
  id: string;
  reason: string;
}

export interface SourceExport {
  source: ImportSource;
  organizations: SourceOrganization[];
  people: SourcePerson[];
  tickets: SourceTicket[];
  problems: RowProblem[];
}

export function emptyExport(source: ImportSource): SourceExport {
  return { source, organizations: [], people: [], tickets: [], problems: [] };
}

/** A row that cannot be imported, with the reason to print beside its id. */
export class RowError extends Error {}

/** An export's time as ISO 8601 UTC with milliseconds, or a RowError. */
export function isoTime(value: unknown, what = 'date'): string {
  const text = typeof value === 'number' ? new Date(value * 1000).toISOString() : String(value ?? '').trim();
  // "2024-03-05 14:22:10" (no zone, as osTicket and many CSVs write it) is read as UTC.
  const normalised = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text) ? `${text.replace(' ', 'T')}Z` : text;
  const time = /^\d{4}-\d{2}-\d{2}/.test(normalised) ? Date.parse(normalised) : Number.NaN;
  if (Number.isNaN(time)) throw new RowError(`${what} "${text}" is not a date (use ISO 8601, e.g. 2024-03-05T14:22:10Z)`);
  return new Date(time).toISOString();
}

const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

export function emailOf(value: unknown): string {
  const email = String(value ?? '').trim().toLowerCase();
  if (!EMAIL.test(email)) throw new RowError(email ? `"${email}" is not an email address` : 'no email address');
  return email;
}

/** A person's name, or the address's first part when the export has none. */
export function nameOf(value: unknown, email: string): string {
  const name = String(value ?? '').trim();
  return (name || email.split('@')[0]!).slice(0, 120);
}

export function textOf(value: unknown): string {
  return typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
}

export function idOf(value: unknown, what: string): string {
  const id = textOf(value).trim();
  if (!id) throw new RowError(`no ${what}`);
  return id;
}

/** Statuses by the names other desks use, to Deskbell's categories. */
export function statusCategory(name: unknown): StatusCategory {
  const key = textOf(name).trim().toLowerCase().replace(/[\s-]+/g, '_');
  const map: Record<string, StatusCategory> = {
    new: 'new', open: 'open', pending: 'pending', hold: 'on_hold', on_hold: 'on_hold', solved: 'solved', resolved: 'solved',
    closed: 'closed', archived: 'closed', deleted: 'closed',
  };
  const category = map[key];
  if (!category) throw new RowError(`unknown status "${textOf(name)}"`);
  return category;
}

export function priorityOf(name: unknown): Priority {
  const key = textOf(name).trim().toLowerCase();
  if (key === '') return 'normal';
  const map: Record<string, Priority> = { low: 'low', normal: 'normal', medium: 'normal', high: 'high', urgent: 'urgent', emergency: 'urgent' };
  const priority = map[key];
  if (!priority) throw new RowError(`unknown priority "${textOf(name)}"`);
  return priority;
}
