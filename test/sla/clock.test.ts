// The SLA clock (issue 21) as pure functions: business time across DST changes in Europe/Berlin and
// America/New_York, yearly and one-off holidays, and a clock paused and resumed.
import t from 'tap';
import {
  addBusinessMinutes, businessMinutesBetween, dueAt, instantOf, pauseClock, resumeClock, type Calendar, type Range,
} from '../../src/sla/clock.js';
import { formatHolidays, parseDayHours, parseHolidays } from '../../src/sla/schemas.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const weekdays = (zone: string, ranges: Range[] = [[540, 1020]], holidays: Calendar['holidays'] = []): Calendar =>
  ({ timeZone: zone, week: [[], ranges, ranges, ranges, ranges, ranges, []], holidays });
const everyDay = (zone: string, ranges: Range[]): Calendar => ({ timeZone: zone, week: Array.from({ length: 7 }, () => ranges), holidays: [] });

t.test('wall-clock times become instants in the zone, on both sides of a change', async (t) => {
  t.equal(iso(instantOf(2026, 3, 27, 9 * 60, 'Europe/Berlin')), '2026-03-27T08:00:00.000Z', 'Berlin in winter: UTC+1');
  t.equal(iso(instantOf(2026, 3, 30, 9 * 60, 'Europe/Berlin')), '2026-03-30T07:00:00.000Z', 'Berlin in summer: UTC+2');
  t.equal(iso(instantOf(2026, 3, 6, 9 * 60, 'America/New_York')), '2026-03-06T14:00:00.000Z', 'New York in winter: UTC-5');
  t.equal(iso(instantOf(2026, 3, 9, 9 * 60, 'America/New_York')), '2026-03-09T13:00:00.000Z', 'New York in summer: UTC-4');
  t.equal(iso(instantOf(2026, 3, 29, 150, 'Europe/Berlin')), '2026-03-29T01:30:00.000Z', '02:30 does not exist in Berlin that night: after the gap');
  t.equal(iso(instantOf(2026, 10, 25, 150, 'Europe/Berlin')), '2026-10-25T00:30:00.000Z', '02:30 happens twice in October: the first');
});

t.test('Europe/Berlin: spring forward (29 March 2026) and fall back (25 October 2026)', async (t) => {
  const night = everyDay('Europe/Berlin', [[60, 240]]);
  t.equal(businessMinutesBetween(at('2026-03-28T00:00:00Z'), at('2026-03-29T12:00:00Z'), night), 180 + 120,
    '01:00–04:00 is three hours on Saturday, two on the night the clocks go forward');
  t.equal(iso(addBusinessMinutes(at('2026-03-29T00:00:00Z'), 90, night)), '2026-03-29T01:30:00.000Z', '01:00 CET + 90 min = 03:30 CEST');
  t.equal(businessMinutesBetween(at('2026-10-24T12:00:00Z'), at('2026-10-26T00:00:00Z'), night), 240,
    'and four hours on the night they go back');
  const day = everyDay('Europe/Berlin', [[0, 1440]]);
  t.equal(businessMinutesBetween(at('2026-03-28T23:00:00Z'), at('2026-03-29T22:00:00Z'), day), 23 * 60, 'a 23-hour Sunday');
  t.equal(businessMinutesBetween(at('2026-10-24T22:00:00Z'), at('2026-10-25T23:00:00Z'), day), 25 * 60, 'a 25-hour Sunday');
  const office = weekdays('Europe/Berlin');
  t.equal(iso(addBusinessMinutes(at('2026-03-27T15:00:00Z'), 120, office)), '2026-03-30T08:00:00.000Z',
    'Friday 16:00 CET + 2 business hours = Monday 10:00 CEST (08:00 UTC)');
  t.equal(iso(addBusinessMinutes(at('2026-10-23T14:00:00Z'), 120, office)), '2026-10-26T09:00:00.000Z',
    'Friday 16:00 CEST + 2 business hours = Monday 10:00 CET (09:00 UTC)');
  t.equal(businessMinutesBetween(at('2026-03-27T15:00:00Z'), at('2026-03-30T08:00:00Z'), office), 120, 'and back');
});

t.test('America/New_York: spring forward (8 March 2026) and fall back (1 November 2026)', async (t) => {
  const office = weekdays('America/New_York');
  t.equal(iso(addBusinessMinutes(at('2026-03-06T21:00:00Z'), 120, office)), '2026-03-09T14:00:00.000Z',
    'Friday 16:00 EST + 2 business hours = Monday 10:00 EDT');
  t.equal(iso(addBusinessMinutes(at('2026-10-30T20:00:00Z'), 120, office)), '2026-11-02T15:00:00.000Z',
    'Friday 16:00 EDT + 2 business hours = Monday 10:00 EST');
  t.equal(businessMinutesBetween(at('2026-10-30T20:00:00Z'), at('2026-11-02T15:00:00Z'), office), 120);
  const night = everyDay('America/New_York', [[0, 240]]);
  t.equal(businessMinutesBetween(at('2026-03-08T05:00:00Z'), at('2026-03-08T12:00:00Z'), night), 180, '00:00–04:00 on 8 March is three hours');
  t.equal(businessMinutesBetween(at('2026-11-01T04:00:00Z'), at('2026-11-01T12:00:00Z'), night), 300, 'and five on 1 November');
  t.equal(iso(addBusinessMinutes(at('2026-03-09T12:00:00Z'), 30, office)), '2026-03-09T13:30:00.000Z', 'before opening: counts from 09:00');
});

t.test('holidays: a yearly one and a one-off one are skipped', async (t) => {
  const plain = weekdays('Europe/Berlin');
  const christmas = weekdays('Europe/Berlin', [[540, 1020]], [{ date: '0000-12-25', yearly: true, name: 'Christmas Day' }]);
  const start = at('2026-12-24T15:00:00Z'); // Thursday 16:00 CET
  t.equal(iso(addBusinessMinutes(start, 120, plain)), '2026-12-25T09:00:00.000Z', 'without holidays: Friday 10:00');
  t.equal(iso(addBusinessMinutes(start, 120, christmas)), '2026-12-28T09:00:00.000Z', 'Christmas Day (every year) skipped: Monday 10:00');
  t.equal(iso(addBusinessMinutes(at('2027-12-24T15:00:00Z'), 120, christmas)), '2027-12-27T09:00:00.000Z', 'the next year too (Friday 24th → Monday)');
  const closedMonday = { ...christmas, holidays: [...christmas.holidays, { date: '2026-12-28', yearly: false, name: 'Closed' }] };
  t.equal(iso(addBusinessMinutes(start, 120, closedMonday)), '2026-12-29T09:00:00.000Z', 'a one-off holiday on the Monday: Tuesday 10:00');
  t.equal(iso(addBusinessMinutes(at('2027-12-27T08:00:00Z'), 60, closedMonday)), '2027-12-27T09:00:00.000Z', 'the one-off does not repeat');
  t.equal(businessMinutesBetween(start, at('2026-12-29T09:00:00Z'), closedMonday), 120);
  t.equal(addBusinessMinutes(start, 60, { timeZone: 'UTC', week: [[], [], [], [], [], [], []], holidays: [] }), null, 'no working time at all: never due');
});

t.test('a clock paused and resumed is due later by the working time the pause took', async (t) => {
  const office = weekdays('UTC');
  const clock = { startedAt: at('2026-03-02T09:00:00Z'), minutes: 240, business: true, pausedMs: 0, pausedSince: null };
  t.equal(iso(dueAt(clock, office)), '2026-03-02T13:00:00.000Z', 'Monday 09:00 + 4 business hours');
  const paused = pauseClock(clock, at('2026-03-02T10:00:00Z'));
  t.equal(dueAt(paused, office), null, 'no due time while paused');
  const resumed = resumeClock(paused, at('2026-03-02T11:30:00Z'), office);
  t.equal(iso(dueAt(resumed, office)), '2026-03-02T14:30:00.000Z', 'paused 90 minutes: due 90 minutes later');
  const overnight = resumeClock(pauseClock(resumed, at('2026-03-02T16:00:00Z')), at('2026-03-03T10:00:00Z'), office);
  t.equal(overnight.pausedMs, (90 + 120) * 60_000, 'a pause over the night counts only its business hours (16–17, 9–10)');
  t.equal(iso(dueAt(overnight, office)), '2026-03-02T16:30:00.000Z');
  const calendarClock = { ...clock, business: false };
  const calendarResumed = resumeClock(pauseClock(calendarClock, at('2026-03-02T16:00:00Z')), at('2026-03-03T10:00:00Z'), office);
  t.equal(iso(dueAt(calendarResumed, office)), '2026-03-03T07:00:00.000Z', 'a calendar-hours clock counts the whole night (+18 h)');
});

t.test('the form\'s hours and holidays', async (t) => {
  t.same(parseDayHours('09:00-12:00, 13:00-17:30'), [[540, 720], [780, 1050]]);
  t.same(parseDayHours(''), [], 'empty: closed');
  t.same(parseDayHours('00:00-24:00'), [[0, 1440]]);
  for (const bad of ['9-17', '17:00-09:00', '09:00-12:00, 11:00-13:00', '09:60-10:00', '10:00-25:00']) t.equal(parseDayHours(bad), null, bad);
  const holidays = parseHolidays('2026-12-24 Christmas Eve\n12-25 Christmas Day\n\n01-01');
  t.same(holidays, [
    { date: '2026-12-24', yearly: false, name: 'Christmas Eve' }, { date: '0000-12-25', yearly: true, name: 'Christmas Day' },
    { date: '0000-01-01', yearly: true, name: '' },
  ]);
  t.equal(formatHolidays(holidays!), '2026-12-24 Christmas Eve\n12-25 Christmas Day\n01-01');
  for (const bad of ['2026-02-30', '13-01 Nope', 'Christmas']) t.equal(parseHolidays(bad), null, bad);
  t.same(parseHolidays('02-29 Leap day'), [{ date: '0000-02-29', yearly: true, name: 'Leap day' }], 'a yearly 29 February is allowed');
});
