/**
 * Full-text search: the one door to it. Everything that knows SQLite FTS5 is behind these names, so
 * a PostgreSQL implementation (tsvector columns kept by triggers, the same parse.ts) can replace it.
 *
 * Keeping the index in sync: on SQLite, triggers (migration 0019) update it in the same statement
 * (so in the same transaction) as every write to tickets, messages, field values, requester and
 * organisation names, from every path (portal, agent, mail, drafts, merges, deletes, bulk SQL).
 * There is nothing to call after a write. Bulk loaders call withSearchIndexPaused.
 */
export { searchForAgent, PAGE_SIZE, MAX_PAGE, type AgentSearch, type ResultRow } from './agent.js';
export { customerMatches } from './customer.js';
export { rebuildSearchIndex, withSearchIndexPaused } from './maintenance.js';
