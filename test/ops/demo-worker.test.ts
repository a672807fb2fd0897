import t, { type Test } from 'tap';
import type { Db } from '../../src/db/connect.js';
import { buildDemo } from '../../src/ops/demo.js';
import { openTestDesk, tempDir } from '../helpers/app.js';

// `deskbell demo` makes its rows on a thread of its own when there is a second core, and hands them
// over a batch at a time while the first thread writes (src/ops/demo-batches.ts). Where that thread
// cannot start, the rows are made between the writes. Either way the desk must be the same: the
// benchmark's cached desks are reused by DEMO_VERSION alone.

/** More than the generator may run ahead (two batches of 5,000 on SQLite, of 1,000 on PostgreSQL). */
const TICKETS = 11_000;

async function demoDesk(t: Test, worker: boolean) {
  const { db, config } = await openTestDesk(t, tempDir(t));
  const said: string[] = [];
  await buildDemo(db, { tickets: TICKETS, databasePath: config.databasePath, worker, progress: (line) => said.push(line) });
  return { db, said };
}

/** What the demo wrote, but its times (the two desks may be built a minute apart). */
async function rowsOf(db: Db) {
  return {
    tickets: await db.selectFrom('tickets').select(['id', 'subject', 'type_id', 'status_id', 'priority', 'requester_id', 'organization_id',
      'assignee_id', 'group_id', 'channel', 'last_replier_id']).orderBy('id').execute(),
    messages: await db.selectFrom('messages').select(['id', 'ticket_id', 'author_id', 'kind', 'body_text', 'body_html', 'via']).orderBy('id').execute(),
    events: await db.selectFrom('ticket_events').select(['id', 'ticket_id', 'actor_id', 'kind', 'from_value', 'to_value']).orderBy('id').execute(),
    values: await db.selectFrom('ticket_field_values').select(['ticket_id', 'field_id', 'value']).orderBy('ticket_id').orderBy('field_id').execute(),
    seen: await db.selectFrom('ticket_seen').select(['ticket_id', 'user_id']).orderBy('ticket_id').orderBy('user_id').execute(),
    tags: await db.selectFrom('ticket_tags').select(['ticket_id', 'tag_id']).orderBy('ticket_id').orderBy('tag_id').execute(),
    reports: await db.selectFrom('report_facts').select(['ticket_id', 'group_id', 'assignee_id', 'type_id', 'channel', 'tag_ids', 'resolution_seconds'])
      .orderBy('ticket_id').execute(),
  };
}

t.test('the demo made on a second thread writes the same desk as the demo made on one', async (t) => {
  const two = await demoDesk(t, true);
  t.ok(two.said.includes('demo: the rows were made on a thread of their own'), 'the rows were made on a second thread', { said: two.said });
  const one = await demoDesk(t, false);
  t.ok(one.said.includes('demo: the rows were made on the writing thread'), 'and here on the writing thread', { said: one.said });
  const [a, b] = [await rowsOf(two.db), await rowsOf(one.db)];
  t.equal(a.tickets.length, TICKETS, `${TICKETS.toLocaleString('en')} tickets`);
  t.ok(a.messages.length > 3 * TICKETS, `${a.messages.length} messages`);
  for (const table of Object.keys(a) as (keyof typeof a)[]) t.same(a[table], b[table], `the same ${table}`);
  t.equal(two.said.filter((line) => /^demo: [\d,]+ \/ 11,000 tickets/.test(line)).at(-1)?.startsWith('demo: 11,000 / 11,000 tickets'), true, 'progress up to the last ticket');
});
