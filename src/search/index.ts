/**
 * Full-text search: the one door to it. Everything that knows SQLite FTS5 or PostgreSQL's tsvector
 * (postgres.ts: a weighted document per ticket kept by triggers, a GIN expression index over
 * messages, the same parse.ts) is behind these names.
 *
 * Keeping the index in sync: on both databases, triggers (migration 0019) update it in the same statement
 * (so in the same transaction) as every write to tickets, messages, field values, requester and
 * organisation names, from every path (portal, agent, mail, drafts, merges, deletes, bulk SQL).
 * There is nothing to call after a write. Bulk loaders call withSearchIndexPaused. The portal's
 * documents (SQLite, migration 0054) are the one exception: the triggers mark a ticket's document out
 * of date, the server writes it again between requests (portal-documents.ts), and a search checks an
 * out-of-date ticket part by part until then.
 */
export { searchForAgent, PAGE_SIZE, MAX_PAGE, type AgentSearch, type ResultRow } from './agent.js';
export { customerMatches, planCustomerSearch, type CustomerScope, type CustomerSearchPlan } from './customer.js';
export { matchingTickets } from './customer-walk.js';
export { rebuildSearchIndex, repairPausedSearchIndex, withSearchIndexPaused } from './maintenance.js';
export { articleTextHits, helpSearchTerms, HELP_SEARCH_WINDOW, type ArticleTextHit } from './help-articles.js';
export { excerptHtml, highlightWords } from './highlight.js';
export { similarSolvedTickets, SIMILAR_TICKETS, type SimilarTicket } from './similar.js';
