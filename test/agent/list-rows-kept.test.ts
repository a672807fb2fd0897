import t from 'tap';
import { agentRowsHtml, type ListRow } from '../../src/agent/list-rows.js';
import { Catalogue } from '../../src/i18n.js';
import { timeElement } from '../../src/lib/format.js';
import { slaState, slaStateSteadyUntil } from '../../src/sla/display.js';

// The agent list keeps its rows, written and encoded, with the page's data (src/agent/list-rows.ts)
// for as long as they read the same: what a kept page shows must be what a page written anew shows.

const catalogue = new Catalogue();
const T0 = Date.parse('2026-12-05T15:30:17.400Z');
const iso = (ms: number) => new Date(ms).toISOString();

function row(id: number, activityAgo: number, slaIn: number | null, paused = false): ListRow {
  return {
    id, subject: `Ticket ${id}`, visibility: 'public', requester_id: 7, requester_name: 'Cora', status_category: 'open', status_name: 'Open',
    priority: 'normal', type_name: 'Question', created_at: iso(T0 - 3 * 3_600_000), last_activity_at: iso(T0 - activityAgo),
    sla_due: slaIn === null ? null : iso(T0 + slaIn), sla_paused: paused ? iso(T0 - 1_000) : null,
  };
}

const rows = [row(1, 20_000, 3_600_000 + 45_000), row(2, 95_300, 61_000), row(3, 3_599_000, -5_000), row(4, 86_400_000, null), row(5, 40_000, 10_000, true)];

function shown(now: number, options: { locale?: string; zone?: string; columns?: string[]; chosen?: string[]; texts?: number } = {}) {
  const locale = options.locale ?? 'en';
  const zone = options.zone ?? 'Europe/Berlin';
  const tr = catalogue.translator(locale);
  return {
    t: tr, zone, texts: options.texts ?? 0, now, columns: options.columns ?? ['status', 'created', 'activity', 'sla'],
    chosen: new Set(options.chosen ?? []), rowTags: { 1: ['billing'] },
    when: (at: string | null) => timeElement(at, { timeZone: zone, locale, justNow: tr('time.justNow'), now }),
  };
}

const text = (html: { bytes: Buffer }) => html.bytes.toString();

t.test('kept rows read as rows written anew at every moment, and are kept in between', async (t) => {
  const listed = {};
  const wrong: string[] = [];
  let kept = 0;
  let previous: unknown = null;
  // Every 0.7 s for three minutes: the relative times' minutes and two SLA states change meanwhile.
  for (let now = T0; now < T0 + 180_000; now += 700) {
    const html = agentRowsHtml(listed, rows, shown(now));
    if (html === previous) kept++;
    previous = html;
    if (text(html) !== text(agentRowsHtml({}, rows, shown(now)))) wrong.push(`at ${iso(now)}`);
  }
  t.same(wrong, [], 'never different from rows written at that moment');
  t.ok(kept > 150, `kept between changes (${kept} of ${Math.ceil(180_000 / 700)} moments)`);
  const first = text(agentRowsHtml(listed, rows, shown(T0)));
  t.match(first, 'sla-ok', 'due in an hour and 45 s: on time');
  t.match(text(agentRowsHtml(listed, rows, shown(T0 + 46_000))), /<tr class="">\n<td><input type="checkbox" name="ids" value="1"[^]*?sla-soon/, 'then due within the hour');
});

t.test('kept rows are per language, zone, columns and texts, and ticked rows are written afresh', async (t) => {
  const listed = {};
  const english = agentRowsHtml(listed, rows, shown(T0));
  t.match(text(agentRowsHtml(listed, rows, shown(T0, { locale: 'de' }))), 'Ticket #1 auswählen', 'German after English');
  t.match(text(agentRowsHtml(listed, rows, shown(T0, { zone: 'America/New_York' }))), /title="5 Dec 2026, 10:30 [^"]*"/, 'another zone');
  t.notMatch(text(agentRowsHtml(listed, rows, shown(T0, { columns: ['status'] }))), '<time', 'other columns');
  t.not(agentRowsHtml(listed, rows, shown(T0, { texts: 1 })), english, 'the texts changed: written again');
  t.equal(agentRowsHtml(listed, rows, shown(T0 + 100)), english, 'and English, in Berlin, as it was');
  const ticked = agentRowsHtml(listed, rows, shown(T0, { chosen: ['2'] }));
  t.match(text(ticked), 'value="2" aria-label="Select ticket #2" checked');
  t.notMatch(text(agentRowsHtml(listed, rows, shown(T0))), 'checked', 'the ticked rows are not kept for the next page');
});

t.test('an SLA state holds until the moment it is said to hold until', async (t) => {
  const now = T0;
  const wrong: string[] = [];
  for (const dueIn of [-60_000, 0, 1, 30_000, 3_600_000, 3_600_001, 3_660_000, 7_200_000]) {
    for (const paused of [null, iso(now - 5_000)]) {
      const due = iso(now + dueIn);
      const until = slaStateSteadyUntil(due, paused, now);
      const state = slaState(due, paused, now);
      for (const later of [now + 1, until - 1]) {
        if (later < until && later > now && slaState(due, paused, later) !== state) wrong.push(`due in ${dueIn} ms: ${state} at first, not at ${later - now} ms`);
      }
      if (Number.isFinite(until) && slaState(due, paused, until) === state) wrong.push(`due in ${dueIn} ms: still ${state} when said to change`);
    }
  }
  t.same(wrong, []);
  t.equal(slaStateSteadyUntil(null, null, now), Infinity, 'no target: never changes');
});
