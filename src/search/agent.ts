import type { Db } from '../db/connect.js';
import type { MessageKind } from '../db/schema.js';
import { visibleTickets, withTeams } from '../tickets/scope.js';
import type { Actor } from '../users/actor.js';
import { commonIn, matchFor, messageHits, messageTexts, newestMessageHits, scopedTicket, ticketHits } from './agent-hits.js';
import { resolveFilters, type TicketConditions } from './filters.js';
import { excerptHtml, highlightWords } from './highlight.js';
import { parseQuery, type Term } from './parse.js';

export const PAGE_SIZE = 20;
/** Results are ranked, so pages are slices of one bounded list: at most this many tickets. */
export const MAX_RESULTS = 200;
export const MAX_PAGE = MAX_RESULTS / PAGE_SIZE;

export interface ResultRow {
  id: number;
  subjectHtml: string;
  statusName: string;
  requesterName: string;
  assigneeName: string | null;
  organizationName: string | null;
  lastActivityAt: string;
  /** The best matching message: its kind (a note is shown as such) and a highlighted excerpt. */
  hit: { kind: MessageKind; snippetHtml: string } | null;
}

export interface AgentSearch {
  /** `#123` alone, for a ticket this agent can see: go straight there. */
  jump: number | null;
  rows: ResultRow[];
  unknown: TicketConditions['unknown'];
  /** Something was searched for (words, filters or a ticket number). */
  searched: boolean;
  page: number;
  more: boolean;
}

/**
 * The agent's search: words in subjects, messages (notes too), requester, organisation and field
 * values, narrowed by filters, inside the agent's scope; ranked. `live` (search as you type) never
 * jumps: `#12` shows ticket 12 as a result while `#123` is still being typed.
 */
export async function searchForAgent(db: Db, who: Actor, input: string, page: number, live: boolean): Promise<AgentSearch> {
  // The agent rule worked out once (tickets/scope.ts withTeams): every match is checked against it.
  const actor = await withTeams(db, who);
  const parsed = parseQuery(input);
  // Prefixes only while typing: FTS5 materialises a prefix's whole match list (~90 ms for a word in
  // 2.3M messages), so a submitted search asks for whole words.
  if (!live) for (const term of parsed.terms) term.prefix = false;
  const conditions = await resolveFilters(db, actor, parsed.filters);
  const result: AgentSearch = { jump: null, rows: [], unknown: conditions.unknown, searched: false, page, more: false };
  const filtered = Object.keys(parsed.filters).length > 0;
  if (parsed.terms.length === 0 && !filtered && parsed.ticketId === null) return result;
  result.searched = true;
  if (conditions.unknown.length > 0) return result;

  let ranked: { ticketId: number; messageId: number | null; kind: MessageKind | null }[];
  const match = matchFor(db, parsed.terms);
  if (match === null) {
    // Filters (or a ticket number) only: the newest tickets they select.
    let q = scopedTicket(db, actor, conditions).select('tickets.id');
    if (parsed.ticketId !== null) q = q.where('tickets.id', '=', parsed.ticketId);
    const ids = await q.orderBy('tickets.last_activity_at', 'desc').orderBy('tickets.id', 'desc').limit(MAX_RESULTS).execute();
    if (parsed.ticketId !== null && !filtered && ids.length === 1 && !live) return { ...result, jump: parsed.ticketId };
    ranked = ids.map((r) => ({ ticketId: r.id, messageId: null, kind: null }));
  } else {
    ranked = await rank(db, actor, conditions, match, parsed.terms.map((term) => matchFor(db, [term])!), page);
  }
  const from = (page - 1) * PAGE_SIZE;
  const shown = ranked.slice(from, from + PAGE_SIZE);
  result.more = ranked.length > from + PAGE_SIZE && page < MAX_PAGE;
  result.rows = await resultRows(db, actor, shown, parsed.terms, match);
  return result;
}

/**
 * Both indexes' hits merged per ticket: a ticket scores its best hit (bm25: lower is better). A word
 * common in the messages scores every message hit 0, below any ticket hit (negative): when enough
 * ticket hits fill the pages up to this one, the messages are not walked at all (only RANK_WINDOW of
 * them would have been), and if the word is common in the tickets too (newest first), only that many
 * ticket hits are read. Either way a shown ticket hit without an excerpt from the walk gets its
 * newest matching message.
 */
async function rank(db: Db, actor: Actor, conditions: TicketConditions, match: string, termMatches: string[], page: number) {
  type Entry = { ticketId: number; score: number; messageId: number | null; kind: MessageKind | null; messageScore: number };
  const best = new Map<number, Entry>();
  // One more than the pages so far hold, for the More link.
  const needed = Math.min(page * PAGE_SIZE + 1, MAX_RESULTS);
  const common = await commonIn(db, conditions, match, termMatches);
  const ticketHitList = await ticketHits(db, actor, conditions, match, termMatches, common.tickets && common.messages ? needed : undefined);
  for (const hit of ticketHitList) {
    best.set(hit.ticketId, { ticketId: hit.ticketId, score: hit.score, messageId: null, kind: null, messageScore: 0 });
  }
  const enough = common.messages && ticketHitList.filter((hit) => hit.score < 0).length >= needed;
  for (const hit of enough ? [] : await messageHits(db, actor, conditions, match, termMatches)) {
    const entry = best.get(hit.ticketId);
    if (!entry) {
      best.set(hit.ticketId, { ticketId: hit.ticketId, score: hit.score, messageId: hit.messageId, kind: hit.kind, messageScore: hit.score });
      continue;
    }
    entry.score = Math.min(entry.score, hit.score);
    // The excerpt shown is the ticket's best matching message.
    if (entry.messageId === null || hit.score < entry.messageScore) Object.assign(entry, { messageId: hit.messageId, kind: hit.kind, messageScore: hit.score });
  }
  const ranked = [...best.values()].sort((a, b) => a.score - b.score || b.ticketId - a.ticketId).slice(0, MAX_RESULTS);
  const bare = common.messages ? ranked.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).filter((entry) => entry.messageId === null) : [];
  const newest = await newestMessageHits(db, conditions, match, termMatches, bare.map((entry) => entry.ticketId));
  for (const entry of bare) Object.assign(entry, { messageId: newest.get(entry.ticketId)?.messageId ?? null, kind: newest.get(entry.ticketId)?.kind ?? null });
  return ranked;
}

async function resultRows(db: Db, actor: Actor, shown: { ticketId: number; messageId: number | null; kind: MessageKind | null }[],
  terms: Term[], match: string | null): Promise<ResultRow[]> {
  if (shown.length === 0) return [];
  const tickets = await visibleTickets(db, actor)
    .where('tickets.id', 'in', shown.map((s) => s.ticketId))
    .innerJoin('users as requester', 'requester.id', 'tickets.requester_id')
    .innerJoin('statuses', 'statuses.id', 'tickets.status_id')
    .leftJoin('users as assignee', 'assignee.id', 'tickets.assignee_id')
    .leftJoin('organizations', 'organizations.id', 'tickets.organization_id')
    .select(['tickets.id', 'tickets.subject', 'tickets.last_activity_at', 'statuses.name as status_name',
      'requester.name as requester_name', 'assignee.name as assignee_name', 'organizations.name as organization_name'])
    .execute();
  const byId = new Map(tickets.map((t) => [t.id, t]));
  const messageIds = shown.flatMap((s) => (s.messageId === null ? [] : [s.messageId]));
  const excerpts = match === null ? new Map<number, string>() : await messageTexts(db, messageIds);
  return shown.flatMap((s) => {
    const t = byId.get(s.ticketId);
    if (!t) return [];
    const excerpt = s.messageId === null ? undefined : excerpts.get(s.messageId);
    return [{
      id: t.id, subjectHtml: highlightWords(t.subject, terms), statusName: t.status_name, requesterName: t.requester_name,
      assigneeName: t.assignee_name, organizationName: t.organization_name, lastActivityAt: t.last_activity_at,
      hit: excerpt !== undefined && s.kind !== null ? { kind: s.kind, snippetHtml: excerptHtml(excerpt, terms) } : null,
    }];
  });
}
