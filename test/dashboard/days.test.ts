import t from 'tap';
import { isTimeZone, lastDays } from '../../src/dashboard/days.js';

t.test('local days start at local midnight, also across a daylight-saving change', async (t) => {
  t.same(lastDays('Europe/Berlin', new Date('2026-03-30T10:00:00Z'), 3), [
    { date: '2026-03-28', start: '2026-03-27T23:00:00.000Z', end: '2026-03-28T23:00:00.000Z' },
    { date: '2026-03-29', start: '2026-03-28T23:00:00.000Z', end: '2026-03-29T22:00:00.000Z' },
    { date: '2026-03-30', start: '2026-03-29T22:00:00.000Z', end: '2026-03-30T22:00:00.000Z' },
  ]);
  t.same(lastDays('America/New_York', new Date('2026-03-01T03:00:00Z'), 1), [
    { date: '2026-02-28', start: '2026-02-28T05:00:00.000Z', end: '2026-03-01T05:00:00.000Z' },
  ], 'at 22:00 local on the 28th it is still the 28th');
  t.same(lastDays('Asia/Kolkata', new Date('2026-01-01T20:00:00Z'), 1)[0]!.start, '2026-01-01T18:30:00.000Z');
  t.same(lastDays('UTC', new Date('2026-03-01T03:00:00Z'), 2).map((d) => d.date), ['2026-02-28', '2026-03-01']);
  t.ok(isTimeZone('Europe/Berlin'));
  t.notOk(isTimeZone('Mars/Olympus'));
});
