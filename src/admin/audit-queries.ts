import { sql } from 'kysely';
import type { Db } from '../db/connect.js';

export const AUDIT_PAGE = 50;

export interface AuditFilter {
  action?: string;
  /** Part of the actor's name or email. */
  actor?: string;
  /** Text anywhere in the details (before, after, a key, a name). */
  text?: string;
  /** Keyset: entries older than this id. */
  before?: number;
}

/** LIKE with the user's % and _ taken literally. */
function contains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The audit log, newest first, a page at a time (keyset on id), filtered. */
export async function listAudit(db: Db, filter: AuditFilter) {
  let query = db.selectFrom('audit_log').leftJoin('users', 'users.id', 'audit_log.actor_id')
    .select(['audit_log.id', 'audit_log.action', 'audit_log.subject_type', 'audit_log.subject_id', 'audit_log.details',
      'audit_log.created_at', 'users.name as actor_name', 'users.email as actor_email']);
  if (filter.action) query = query.where('audit_log.action', '=', filter.action);
  if (filter.actor) {
    const like = contains(filter.actor.toLowerCase());
    query = query.where((eb) => eb.or([
      eb(sql`lower(users.name)`, 'like', sql`${like} escape '\\'`),
      eb(sql`lower(users.email)`, 'like', sql`${like} escape '\\'`),
    ]));
  }
  if (filter.text) query = query.where(sql`lower(audit_log.details)`, 'like', sql`${contains(filter.text.toLowerCase())} escape '\\'`);
  if (filter.before) query = query.where('audit_log.id', '<', filter.before);
  const rows = await query.orderBy('audit_log.id', 'desc').limit(AUDIT_PAGE + 1).execute();
  const more = rows.length > AUDIT_PAGE;
  if (more) rows.pop();
  return { entries: rows.map(describe), next: more ? rows[rows.length - 1]!.id : null };
}

/** The actions recorded so far, for the filter's choices. */
export async function auditActions(db: Db): Promise<string[]> {
  return (await db.selectFrom('audit_log').select('action').distinct().orderBy('action').execute()).map((r) => r.action);
}

export interface Change { field: string | null; before: string; after: string }

/**
 * An entry made readable: before → after per changed field (or one line for a single value), and
 * the other details as name: value.
 */
function describe(row: { details: string; [k: string]: unknown }) {
  let details: Record<string, unknown> = {};
  try { details = JSON.parse(row.details) as Record<string, unknown>; } catch { /* shown as empty */ }
  const { before, after, ...rest } = details;
  const changes: Change[] = [];
  if (isObject(before) || isObject(after)) {
    const b = isObject(before) ? before : {};
    const a = isObject(after) ? after : {};
    for (const field of new Set([...Object.keys(b), ...Object.keys(a)])) changes.push({ field, before: show(b[field]), after: show(a[field]) });
  } else if (before !== undefined || after !== undefined) {
    changes.push({ field: null, before: show(before), after: show(after) });
  }
  return { ...row, changes, facts: Object.entries(rest).map(([name, value]) => ({ name, value: show(value) })) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'string') return value === '' ? '""' : value;
  return JSON.stringify(value);
}
