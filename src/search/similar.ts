import type { Db } from '../db/connect.js';
import { isPostgres } from '../db/dialect.js';
import { visibleTickets } from '../tickets/scope.js';
import type { Actor } from '../users/actor.js';
import { messageHits, ticketHits } from './agent-hits.js';
import { words } from './parse.js';
import { tsQueryText } from './postgres.js';

/** How many similar solved tickets the agent's ticket page offers. */
export const SIMILAR_TICKETS = 5;
/** Words asked for: the subject's first, then the first message's (enough to find the topic, few enough to stay fast). */
const MAX_WORDS = 12;
/** Words too common to say what a ticket is about (English and German). */
const STOP_WORDS = new Set(('the and for are but not you your with this that have has was were from they will would can could '
  + 'what when which there their about please thanks thank hello dear regards just also some any our all been into only '
  + 'der die das und ist nicht mit ein eine einen dem den des sie ich wir ihr für auf aus bei bitte danke hallo grüße '
  + 'von zu zum zur wie was wenn noch auch oder aber sind war haben hat').split(' '));

/** The distinct words that describe a ticket: subject first, of three characters or more (a lone "2" matches half the desk), no filler. */
export function describingWords(subject: string, firstMessage: string): string[] {
  const chosen = new Set<string>();
  for (const word of [...words(subject), ...words(firstMessage.slice(0, 2000))]) {
    if (word.length >= 3 && !STOP_WORDS.has(word)) chosen.add(word);
    if (chosen.size >= MAX_WORDS) break;
  }
  return [...chosen];
}

/**
 * Any of the words: an FTS5 `OR` on SQLite, a tsquery `|` on PostgreSQL; `subjectOnly` for the ticket
 * index (its other parts hold names and addresses: `test` of every `@example.test` would match).
 */
function anyOf(db: Db, list: string[], subjectOnly: boolean): string | null {
  if (list.length === 0) return null;
  if (isPostgres(db)) {
    const parts = list.map((word) => tsQueryText([{ words: [word], phrase: false, prefix: false }], subjectOnly ? 'A' : '')).filter((part): part is string => part !== null);
    return parts.length > 0 ? parts.join(' | ') : null;
  }
  const any = list.map((word) => `"${word}"`).join(' OR ');
  return subjectOnly ? `{subject} : (${any})` : any;
}

export interface SimilarTicket { id: number; subject: string; status_name: string }

/**
 * "Similar solved tickets" on an agent's ticket page (issue 23, point 5): the solved or closed
 * tickets nearest by text to this one's subject and first message, with the agent's search (their
 * subjects and their messages, the same ranking, the same scope: only tickets this agent may see),
 * this one left out. Where the words match more than the search ranks (SCAN_LIMIT), the newest
 * matches come first instead, as in the search box.
 */
export async function similarSolvedTickets(db: Db, actor: Actor, ticket: { id: number; subject: string }): Promise<SimilarTicket[]> {
  const first = await db.selectFrom('messages').select('body_text').where('ticket_id', '=', ticket.id).where('kind', '=', 'reply')
    .orderBy('id').limit(1).executeTakeFirst();
  const described = describingWords(ticket.subject, first?.body_text ?? '');
  const subjects = anyOf(db, described, true);
  const messages = anyOf(db, described, false);
  if (subjects === null || messages === null) return [];
  const solved = await db.selectFrom('statuses').select('id').where('category', 'in', ['solved', 'closed']).execute();
  if (solved.length === 0) return [];
  const conditions = { statusIds: solved.map((s) => s.id), unknown: [] };
  const best = new Map<number, number>();
  for (const hit of [...await ticketHits(db, actor, conditions, subjects, [subjects]), ...await messageHits(db, actor, conditions, messages, [messages])]) {
    if (hit.ticketId === ticket.id) continue;
    best.set(hit.ticketId, Math.min(best.get(hit.ticketId) ?? Infinity, Number(hit.score)));
  }
  const nearest = [...best].sort((a, b) => a[1] - b[1] || b[0] - a[0]).slice(0, SIMILAR_TICKETS).map(([id]) => id);
  if (nearest.length === 0) return [];
  const rows = await visibleTickets(db, actor).innerJoin('statuses', 'statuses.id', 'tickets.status_id')
    .select(['tickets.id', 'tickets.subject', 'statuses.name as status_name']).where('tickets.id', 'in', nearest).execute();
  const byId = new Map(rows.map((row) => [row.id, row]));
  return nearest.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
}
