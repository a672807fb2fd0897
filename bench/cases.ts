// The pages and forms measured, as a user would use them: each with the session it needs and the
// status class that counts as success (2xx for pages, 3xx for a form's redirect).
import { COMMON_TAG } from '../src/ops/demo-people.js';
import type { Facts } from './facts.js';
import type { Session } from './session.js';

export type CaseKind = 'read' | 'search' | 'write';

export interface BenchCase {
  name: string;
  kind: CaseKind;
  session: Session;
  /** A write made by several people in turn (request n by `sessions[n % length]`), instead of `session` alone. */
  sessions?: Session[];
  /** GET path, or for a write the next request's path and form body (distinct on every call). */
  path: string;
  form?: (n: number) => { path: string; body: Record<string, string> };
  expect: 2 | 3;
  /** Request headers besides the session's cookie (an htmx request's). */
  headers?: Record<string, string>;
  /** Why the case is not measured (e.g. the build has no search yet). */
  skipped?: string;
}

export interface CaseInputs {
  agent: Session;
  customer: Session;
  facts: Facts;
  deepCursor: string;
  hasSearch: boolean;
  supervisor: Session;
  hasReports: boolean;
  /** The customers who file the portal case's tickets (facts.filers, logged in). */
  filers: Session[];
}

/** The last `days` days up to today (UTC dates), as the reports form sends them. */
function lastDays(days: number): string {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return `from=${day(Date.now() - (days - 1) * 86_400_000)}&to=${day(Date.now())}`;
}

export const SEARCH_PATH = '/agent/search';

export function buildCases({ agent, customer, supervisor, facts, deepCursor, hasSearch, hasReports, filers }: CaseInputs, terms: { common: string; rare: string }): BenchCase[] {
  const search: Partial<BenchCase> = hasSearch ? {} : { skipped: 'n/a (no search)' };
  const reports: Partial<BenchCase> = hasReports ? {} : { skipped: 'n/a (no reports)' };
  const help: Partial<BenchCase> = facts.helpArticleId !== null ? {} : { skipped: 'n/a (no help center articles)' };
  return [
    { name: 'agent list, default view', kind: 'read', session: agent, path: '/agent/tickets', expect: 2 },
    { name: 'agent list, two filters', kind: 'read', session: agent, path: '/agent/tickets?status=category%3Aopen&priority=high', expect: 2 },
    { name: 'agent list, 40 pages deep', kind: 'read', session: agent, path: deepCursor ? `/agent/tickets?after=${encodeURIComponent(deepCursor)}` : '/agent/tickets', expect: 2 },
    // The commonest demo tag (one ticket in five, src/ops/demo-people.ts): the filter reads it by
    // ticket_tags (tag_id, ticket_id).
    { name: `agent list, tag filter "${COMMON_TAG}"`, kind: 'read', session: agent, path: `/agent/tickets?tag=${COMMON_TAG}`, expect: 2 },
    // "Next SLA due" over every ticket (issue 21): ticket_slas' due-time index, then the tickets by number.
    { name: 'agent list, sort by next SLA due', kind: 'read', session: agent, path: '/agent/tickets?view=all&sort=sla', expect: 2 },
    { name: `ticket details, ${facts.longTicketMessages} messages`, kind: 'read', session: agent, path: `/agent/tickets/${facts.longTicketId}`, expect: 2 },
    { name: 'portal, My tickets', kind: 'read', session: customer, path: '/portal/tickets', expect: 2 },
    // customer@acme.test in Acme Corp, which shares its tickets: the demo's largest organisation.
    { name: `portal search, common word, organisation`, kind: 'search', session: customer, path: `/portal/tickets?view=org&q=${terms.common}`, expect: 2 },
    // The same customer's own tickets (about 4,500 at 1M): a scope of thousands searched for the common word (issue 26).
    { name: `portal search, common word, own tickets`, kind: 'search', session: customer, path: `/portal/tickets?q=${terms.common}`, expect: 2 },
    { name: `search, common word "${terms.common}"`, kind: 'search', session: agent, path: `${SEARCH_PATH}?q=${terms.common}`, expect: 2, ...search },
    { name: `search, rare word "${terms.rare}"`, kind: 'search', session: agent, path: `${SEARCH_PATH}?q=${terms.rare}`, expect: 2, ...search },
    { name: `search, "tag:${COMMON_TAG} ${terms.common}"`, kind: 'search', session: agent, path: `${SEARCH_PATH}?q=tag%3A${COMMON_TAG}+${terms.common}`, expect: 2, ...search },
    // The help center (issue 23) as a customer reads it: its home (categories, the most read articles),
    // the most read article, and the suggestions htmx asks for while a subject is typed (a common word).
    { name: 'help center home', kind: 'read', session: customer, path: '/help', expect: 2, ...help },
    { name: 'help article', kind: 'read', session: customer, path: `/help/articles/${facts.helpArticleId ?? 0}`, expect: 2, ...help },
    {
      name: `help suggestions, common word "${terms.common}"`, kind: 'read', session: customer, path: `/help/suggestions?subject=${terms.common}+reset`,
      headers: { 'HX-Request': 'true', 'HX-Request-Type': 'partial' }, expect: 2, ...help,
    },
    // A supervisor's 90-day report of the whole desk, broken down by group (issue 21: under 500 ms at 1M tickets).
    { name: 'reports, 90 days by group', kind: 'read', session: supervisor, path: `/agent/reports?${lastDays(90)}&by=group`, expect: 2, ...reports },
    {
      // Twenty customers in turn: one customer filing hundreds a second made each create count her
      // thousands of tickets of the hour for the flood guard, which the bench lifts to 1,000,000.
      name: 'create a ticket (portal form)', kind: 'write', session: customer, sessions: filers.length > 0 ? filers : undefined, path: '/portal/tickets', expect: 3,
      form: (n) => ({ path: '/portal/tickets', body: { typeId: String(facts.portalTypeId), subject: `Benchmark request ${n}: printer offline`, message: `The printer on floor ${n % 9} stopped at ${n}.` } }),
    },
    {
      name: 'agent reply', kind: 'write', session: agent, path: `/agent/tickets/${facts.replyTicketIds[0]}/messages`, expect: 3,
      form: (n) => ({ path: `/agent/tickets/${facts.replyTicketIds[n % facts.replyTicketIds.length]}/messages`, body: { kind: 'reply', body: `Thanks, we are on it (benchmark reply ${n}).` } }),
    },
  ];
}
