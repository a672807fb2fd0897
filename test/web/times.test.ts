// Times that read (issue 19): relative ("3 hr ago", "yesterday 14:05") with the exact time in a
// <time datetime title>, in the viewer's zone: their own, else their browser's (sent once by
// zone.js), else the desk's — never UTC just because nobody chose.
import t from 'tap';
import { relativeTime, timeElement, timeElementSteadyUntil } from '../../src/lib/format.js';
import { putSetting } from '../../src/settings/settings.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeMessage, makeTicket, makeUser, PASSWORD } from '../helpers/factories.js';

const NOW = Date.parse('2026-12-05T15:30:00Z');
const at = (timeZone: string, locale = 'en') => ({ timeZone, locale, justNow: 'just now', now: NOW });

t.test('a time reads relative to now, on the viewer\'s wall clock, in their language', async (t) => {
  const berlin = at('Europe/Berlin');
  t.equal(relativeTime('2026-12-05T15:29:40Z', berlin), 'just now');
  t.equal(relativeTime('2026-12-05T15:05:00Z', berlin), '25 min ago');
  t.equal(relativeTime('2026-12-05T12:10:00Z', berlin), '3 hr ago');
  t.equal(relativeTime('2026-12-04T13:05:00Z', berlin), 'yesterday 14:05');
  t.equal(relativeTime('2026-12-01T09:00:00Z', berlin), 'Tue 10:00', 'this week: the weekday');
  t.equal(relativeTime('2026-03-02T10:00:00Z', berlin), '2 Mar', 'this year: the day');
  t.equal(relativeTime('2025-03-02T10:00:00Z', berlin), '2 Mar 2025');
  t.equal(relativeTime('2026-12-05T17:45:00Z', berlin), 'in 2 hr', 'times to come too');
  t.equal(relativeTime('2026-12-06T08:00:00Z', berlin), 'tomorrow 09:00');
  t.equal(relativeTime('2026-12-04T13:05:00Z', at('Europe/Berlin', 'de')), 'gestern 14:05');
  // 23:30 in New York on the 4th is 04:30 UTC on the 5th: yesterday there, today in Berlin.
  t.equal(relativeTime('2026-12-05T04:30:00Z', at('America/New_York')), 'yesterday 23:30');
  t.equal(relativeTime('2026-12-05T04:30:00Z', berlin), '11 hr ago');
});

t.test('a time element shown again says what it would say if written anew, as now moves on', async (t) => {
  const options = (now: string, timeZone = 'Europe/Berlin', locale = 'en') => ({ timeZone, locale, justNow: locale === 'de' ? 'gerade eben' : 'just now', now: Date.parse(now) });
  const iso = '2026-12-05T15:05:00Z';
  const cases: [string, string][] = [
    ['2026-12-05T15:05:30Z', 'just now'], ['2026-12-05T15:05:59.999Z', 'just now'], ['2026-12-05T15:06:00Z', '1 min ago'],
    ['2026-12-05T15:30:10Z', '25 min ago'], ['2026-12-05T15:30:50Z', '25 min ago'], ['2026-12-05T15:31:00Z', '26 min ago'],
    ['2026-12-05T16:04:59Z', '59 min ago'], ['2026-12-05T16:05:00Z', '1 hr ago'], ['2026-12-05T22:59:00Z', '7 hr ago'],
    ['2026-12-05T23:01:00Z', 'yesterday 16:05'], ['2026-12-05T14:05:00Z', 'in 1 hr'], ['2026-12-05T15:04:30Z', 'just now'],
  ];
  for (const round of [1, 2]) {
    for (const [now, text] of cases) {
      const element = timeElement(iso, options(now));
      t.equal(/>([^<]*)<\/time>$/.exec(element)?.[1], text, `round ${round}: at ${now}`);
      t.match(element, 'title="5 Dec 2026, 16:05 CET"');
    }
  }
  t.match(timeElement(iso, options('2026-12-05T15:30:10Z', 'America/New_York')), /title="5 Dec 2026, 10:05 [^"]*">25 min ago</, 'another zone is its own entry');
  t.match(timeElement(iso, options('2026-12-06T01:00:00Z', 'Europe/Berlin', 'de')), />gestern 16:05</, 'another language too');
});

t.test('a time element written once reads as written anew until the moment it is said to hold until', async (t) => {
  // The agent list keeps its rows that long (src/agent/list-rows.ts): kept must never differ from fresh.
  const zones = ['Europe/Berlin', 'Asia/Kolkata', 'America/St_Johns'];
  const times = ['2026-12-05T15:05:00Z', '2026-12-05T15:05:37.250Z', '2026-12-05T15:29:59.999Z', '2026-12-05T15:31:10Z',
    '2026-12-05T16:07:21Z', '2026-12-04T22:59:40Z', '2026-12-05T23:00:05Z'];
  const wrong: string[] = [];
  let checked = 0;
  for (const timeZone of zones) {
    for (const iso of times) {
      // Every 1.3 s over eight minutes around 15:30, and around midnight in the zone.
      for (const start of [Date.parse('2026-12-05T15:26:00Z'), Date.parse('2026-12-05T22:56:00Z')]) {
        for (let now = start; now < start + 8 * 60_000; now += 1_300) {
          const options = { timeZone, locale: 'en', justNow: 'just now' };
          const until = timeElementSteadyUntil(iso, now);
          const at = `${iso} in ${timeZone} written at ${new Date(now).toISOString()}`;
          if (!(until > now && until <= now + 60_000)) wrong.push(`${at}: holds until ${until}, not within the minute`);
          const written = timeElement(iso, { ...options, now });
          for (const later of new Set([now + 1, Math.floor((now + until) / 2), until - 1])) {
            if (later >= until) continue;
            checked++;
            if (timeElement(iso, { ...options, now: later }) !== written) wrong.push(`${at}: differs at ${new Date(later).toISOString()}, held until ${new Date(until).toISOString()}`);
          }
        }
      }
    }
  }
  t.same(wrong, [], `${checked} instants checked`);
  t.ok(checked > 10_000);
  const iso = '2026-12-05T15:05:00Z';
  t.equal(timeElementSteadyUntil(iso, Date.parse('2026-12-05T15:30:10Z')), Date.parse('2026-12-05T15:31:00Z'), 'past: the next whole minute since');
  t.equal(timeElementSteadyUntil('2026-12-05T15:05:30Z', Date.parse('2026-12-05T15:03:10Z')), Date.parse('2026-12-05T15:03:30Z') + 1, 'to come: until fewer whole minutes remain');
  t.equal(timeElementSteadyUntil(null, Date.parse('2026-12-05T15:03:10Z')), Date.parse('2026-12-05T15:04:00Z'), 'no time: the next minute');
});

t.test('pages show relative times with the exact one in the title, in the desk\'s zone until the browser tells its own', async (t) => {
  const { app, db } = await buildTestDesk(t);
  await putSetting(db, 'site_time_zone', 'Europe/Berlin');
  const customer = await makeUser(db, 'customer', { name: 'Dora' });
  const id = await makeTicket(db, { requesterId: customer.id, subject: 'Drucker', at: '2026-03-02T14:30:00.000Z' });
  await makeMessage(db, id, { authorId: customer.id, kind: 'reply', text: 'It jams.', at: '2026-03-02T14:30:00.000Z' });
  const client = new Client(app);
  await client.login(customer.email, PASSWORD);

  const first = await client.get(`/portal/tickets/${id}`);
  t.equal(first.statusCode, 200);
  t.match(first.body, '<header class="topbar" data-ask-zone>', 'a person without a zone: the page asks the browser');
  t.match(first.body, 'title="2 Mar 2026, 15:30 CET"', 'the desk\'s zone meanwhile, not UTC');
  t.notMatch(first.body, /\d{2}:\d{2} UTC/);

  const bad = await client.post('/account/zone', { zone: 'Mars/Olympus_Mons' });
  t.equal(bad.statusCode, 422, 'a zone nobody knows is refused');
  const sent = await client.post('/account/zone', { zone: 'America/New_York' });
  t.equal(sent.statusCode, 204);
  t.equal((await db.selectFrom('users').select('time_zone').where('id', '=', customer.id).executeTakeFirstOrThrow()).time_zone, 'America/New_York');

  const next = await client.get(`/portal/tickets/${id}`);
  t.equal(next.statusCode, 200);
  t.match(next.body, '<header class="topbar">', 'asked once: the zone is known now');
  t.notMatch(next.body, 'data-ask-zone');
  t.match(next.body, 'title="2 Mar 2026, 09:30 GMT-5"', 'times now read on the browser\'s clock');

  // A zone chosen on "My Page" is the person's word: a browser's report never replaces it.
  await db.updateTable('users').set({ time_zone: 'Asia/Tokyo' }).where('id', '=', customer.id).execute();
  t.equal((await client.post('/account/zone', { zone: 'Europe/Lisbon' })).statusCode, 204);
  t.equal((await db.selectFrom('users').select('time_zone').where('id', '=', customer.id).executeTakeFirstOrThrow()).time_zone, 'Asia/Tokyo');

  const anonymous = await new Client(app).get(`/portal/tickets/${id}`);
  t.equal(anonymous.statusCode, 303, 'the route still needs a login');
  const forged = await new Client(app).post('/account/zone', { zone: 'Europe/Lisbon' });
  t.not(forged.statusCode, 204, 'no zone is stored without a session');
});

t.test('the agent list shows the last activity relative, with the exact time on hover', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = await makeUser(db, 'agent', { name: 'Ann' });
  await db.updateTable('users').set({ time_zone: 'Europe/Berlin' }).where('id', '=', agent.id).execute();
  const customer = await makeUser(db, 'customer');
  const recent = new Date(Date.now() - 3 * 60 * 60_000 - 60_000).toISOString();
  await makeTicket(db, { requesterId: customer.id, subject: 'Scanner', at: recent });
  const client = new Client(app);
  await client.login(agent.email, PASSWORD);
  const list = await client.get('/agent/tickets?view=all');
  t.equal(list.statusCode, 200);
  t.match(list.body, new RegExp(`<time datetime="${recent}" title="[^"]+ (CET|CEST)">(3 hr ago|yesterday \\d{2}:\\d{2})</time>`));
  t.notMatch(list.body, 'data-ask-zone', 'the agent chose a zone');
});
