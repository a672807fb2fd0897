import type { Translate } from '../i18n.js';
import { EncodedHtml } from '../lib/encoded-html.js';
import { timeElementSteadyUntil } from '../lib/format.js';
import { escapeHtml } from '../lib/text.js';
import { slaState, slaStateSteadyUntil } from '../sla/display.js';

/** A row of the agent list as tickets/list.ts reads it (with its SLA state worked out). */
export interface ListRow {
  id: number;
  subject: string;
  unread?: boolean | number | null;
  rating?: string | null;
  visibility: string;
  snoozed_until?: string | null;
  snooze_returned_at?: string | null;
  requester_id: number;
  requester_name: string;
  organization_name?: string | null;
  status_category: string;
  status_name: string;
  priority: string;
  type_name: string;
  assignee_name?: string | null;
  group_name?: string | null;
  created_at: string;
  last_activity_at: string;
  sla_state?: string | null;
  sla_due?: string | null;
  sla_paused?: string | null;
}

/** What every row of one page shares, put together once by the table template. */
export interface RowsContext {
  t: Translate;
  when: (iso: string | null) => string;
  /** The columns the agent chose, after the number and subject every list shows. */
  columns: readonly string[];
  /** Ticket ids ticked before a failed bulk action (kept ticked). */
  chosen: ReadonlySet<string>;
  rowTags: Record<number, string[] | undefined>;
  /** Column headings (already plain text), for each cell's data-label. */
  labels: Record<string, string>;
  /** "Select ticket #{id}" split around the number. */
  selectLabel: [string, string] | string[];
  priorities: Record<string, string>;
  unreadLabel: string;
}

/** The catalogue keys of the list's column headings. */
export const COLUMN_HEADINGS: Record<string, string> = {
  id: 'tickets.col.id', subject: 'tickets.col.subject', requester: 'tickets.col.requester', status: 'tickets.col.status',
  priority: 'tickets.col.priority', type: 'tickets.col.type', assignee: 'tickets.col.assignee', group: 'tickets.col.group',
  created: 'tickets.col.created', activity: 'tickets.col.lastActivity', sla: 'tickets.col.sla',
};

/** The column headings in the reader's language (plain text). */
export function columnLabels(t: Translate): Record<string, string> {
  return Object.fromEntries(Object.entries(COLUMN_HEADINGS).map(([column, key]) => [column, t(key)]));
}

/** How the rows are shown: everything they depend on besides the tickets and the clock. */
export interface RowsShown {
  t: Translate;
  /** The reader's time zone (the one `when` writes times in). */
  zone: string;
  /** The catalogue's version (i18n.ts): the texts `t` reads. */
  texts: number;
  /** `it.when` of the page (plugins/views.ts) at `now`. */
  when: (iso: string | null) => string;
  now: number;
  columns: readonly string[];
  chosen: ReadonlySet<string>;
  rowTags: Record<number, string[] | undefined>;
}

const written = new WeakMap<object, Map<string, { html: EncodedHtml; from: number; until: number }>>();

/**
 * The rows of a page, written and encoded once and kept with the page's data (`listed`: list-data.ts
 * remembers it until the database changes) for as long as they read the same: per way of showing
 * them (columns, language, texts, zone), until the clock changes what they say (the next change of
 * a relative time's minutes or of an SLA state, and the next minute at the latest). Rows with
 * tickets ticked (a failed bulk action) are written afresh; the pages list-data.ts does not remember
 * (SLA views, searches) bring new data each time, and their rows go with it.
 */
export function agentRowsHtml(listed: object, tickets: readonly ListRow[], shown: RowsShown): EncodedHtml {
  const key = `${shown.columns.join(',')}|${shown.t.locale ?? ''}|${shown.texts}|${shown.zone}`;
  const keep = shown.chosen.size === 0;
  const kept = keep ? written.get(listed)?.get(key) : undefined;
  // (A clock set back finds them written in its future: written again.)
  if (kept && shown.now >= kept.from && shown.now < kept.until) return kept.html;
  let until = Infinity;
  const when = (iso: string | null) => {
    until = Math.min(until, timeElementSteadyUntil(iso, shown.now));
    return shown.when(iso);
  };
  const rows = tickets.map((row) => {
    until = Math.min(until, slaStateSteadyUntil(row.sla_due ?? null, row.sla_paused ?? null, shown.now));
    return { ...row, sla_state: slaState(row.sla_due ?? null, row.sla_paused ?? null, shown.now) };
  });
  const t = shown.t;
  const html = EncodedHtml.of(agentRows(rows, {
    t, when, columns: shown.columns, chosen: shown.chosen, rowTags: shown.rowTags, labels: columnLabels(t),
    // "Select ticket #{id}" split around the number, written once for the fifty rows.
    selectLabel: t('bulk.select', { id: '\u0000' }).split('\u0000'),
    priorities: Object.fromEntries(['urgent', 'high', 'normal', 'low'].map((p) => [p, t(`priority.${p}`)])),
    unreadLabel: t('tickets.list.unread'),
  }));
  if (keep) {
    let byKey = written.get(listed);
    if (!byKey) written.set(listed, byKey = new Map());
    byKey.set(key, { html, from: shown.now, until });
  }
  return html;
}

/**
 * The list's fifty rows as one string. Written here rather than in the template: the rows are the
 * bulk of the page (about 60 KB), and a template pays for every piece and every escape on its own.
 * The markup is the one tickets/_agent-table.eta had.
 */
export function agentRows(tickets: readonly ListRow[], ctx: RowsContext): string {
  const esc = escapeText;
  const label = (column: string) => esc(ctx.labels[column] ?? '');
  const unread = esc(ctx.unreadLabel);
  const [selectBefore = '', selectAfter = ''] = ctx.selectLabel;
  const badges = {
    internal: ` <span class="badge badge-internal">${esc(ctx.t('visibility.internal'))}</span>`,
    snoozed: ` <span class="badge snoozed">${esc(ctx.t('snooze.badge'))}</span>`,
    returned: ` <span class="badge snooze-returned">${esc(ctx.t('snooze.returned'))}</span>`,
    tags: esc(ctx.t('tags.column')),
  };
  let html = '';
  for (const ticket of tickets) {
    const id = String(ticket.id);
    const subject = esc(ticket.subject);
    html += `<tr class="${ticket.unread ? 'unread' : ''}">\n`
      + `<td><input type="checkbox" name="ids" value="${id}" aria-label="${escapeHtml(selectBefore + id + selectAfter)}"${ctx.chosen.has(id) ? ' checked' : ''}></td>\n`
      + `<td data-label="${label('id')}">#${id}</td>\n`
      + `<td data-label="${label('subject')}"><span class="subject-line">`
      + (ticket.unread ? `<span class="unread-dot" role="img" aria-label="${unread}" title="${unread}"></span>` : '')
      + `<a href="/agent/tickets/${id}" title="${subject}">${subject}</a>`
      + (ticket.rating ? ` <span class="badge rating-${esc(ticket.rating)}">${esc(ctx.t(`rating.badge.${ticket.rating}`))}</span>` : '')
      + (ticket.visibility === 'internal' ? badges.internal : '')
      + (ticket.snoozed_until ? badges.snoozed : ticket.snooze_returned_at ? badges.returned : '')
      + rowTags(ctx.rowTags[ticket.id], badges.tags, esc)
      + '</span></td>\n';
    for (const column of ctx.columns) html += cell(column, ticket, ctx, label, esc);
    html += '</tr>\n';
  }
  return html;
}

/** Most values have nothing to escape: test before replacing. */
function escapeText(text: string): string {
  return SPECIAL.test(text) ? escapeHtml(text) : text;
}
const SPECIAL = /[&<>"']/;

function rowTags(tags: string[] | undefined, heading: string, esc: (text: string) => string): string {
  if (!tags || tags.length === 0) return '';
  let html = ` <span class="row-tags"><span class="visually-hidden">${heading}:</span>`;
  for (const tag of tags) html += ` <a class="tag" href="/agent/tickets?tag=${esc(encodeURIComponent(tag))}">${esc(tag)}</a>`;
  return `${html}</span>`;
}

function cell(column: string, ticket: ListRow, ctx: RowsContext, label: (column: string) => string, esc: (text: string) => string): string {
  const open = `<td data-label="${label(column)}"`;
  switch (column) {
    case 'requester': {
      const name = esc(ticket.requester_name);
      const org = ticket.organization_name ? esc(ticket.organization_name) : null;
      return `${open}><span class="stack"><a class="quiet" href="/agent/tickets?requester=${ticket.requester_id}" title="${name}">${name}</a>`
        + `${org ? `<span class="org" title="${org}">${org}</span>` : ''}</span></td>\n`;
    }
    case 'status': {
      const name = esc(ticket.status_name);
      return `${open}><span class="status status-${esc(ticket.status_category)}" title="${name}">${name}</span></td>\n`;
    }
    case 'priority':
      return `${open}><span class="priority priority-${esc(ticket.priority)}">${esc(ctx.priorities[ticket.priority] ?? ticket.priority)}</span></td>\n`;
    case 'type': {
      const name = esc(ticket.type_name);
      return `${open} title="${name}">${name}</td>\n`;
    }
    case 'assignee':
    case 'group': {
      const value = column === 'assignee' ? ticket.assignee_name : ticket.group_name;
      const name = value ? esc(value) : '';
      return `${open}${name ? ` title="${name}"` : ''}>${name}</td>\n`;
    }
    case 'created':
      return `${open}>${ctx.when(ticket.created_at)}</td>\n`;
    case 'activity':
      return `${open}>${ctx.when(ticket.last_activity_at)}</td>\n`;
    case 'sla':
      return `${open}>${ticket.sla_state
        ? `<span class="sla sla-${esc(ticket.sla_state)}">${esc(ctx.t(`sla.state.${ticket.sla_state}`))}</span>${ticket.sla_due ? ` ${ctx.when(ticket.sla_due)}` : ''}`
        : ''}</td>\n`;
    default:
      return '';
  }
}
