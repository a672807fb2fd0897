import t from 'tap';
import { makeTickets, ticketIdsIn } from '../helpers/factories.js';
import { desk, loggedIn, makeCustomer } from './my-tickets-helpers.js';

t.test('each sort pages with a keyset cursor through every ticket once, keeping the filters', async (t) => {
  const d = await desk(t);
  const { db } = d;
  const cora = await makeCustomer(db, 'Cora');
  const other = await makeCustomer(db, 'Other');
  // Activity, creation and id orders all differ; several tickets share a timestamp (ties broken by id).
  const base = Date.parse('2026-01-01T00:00:00Z');
  const ids = await makeTickets(db, 130, (i) => ({ requesterId: cora.id, statusId: i % 7 === 0 ? 4 : 2,
    at: new Date(base + Math.floor(i / 3) * 1000).toISOString() }));
  for (const [i, id] of ids.entries()) {
    await db.updateTable('tickets').set({
      created_at: new Date(base + ((i * 37) % 130) * 1000).toISOString(),
      last_activity_at: new Date(base + Math.floor(((i * 53) % 130) / 2) * 1000).toISOString(),
    }).where('id', '=', id).execute();
  }
  await makeTickets(db, 20, { requesterId: other.id, statusId: 2 });
  const rows = await db.selectFrom('tickets').select(['id', 'created_at', 'last_activity_at'])
    .where('requester_id', '=', cora.id).where('status_id', '=', 2).execute();
  const expected = {
    activity: [...rows].sort((a, b) => b.last_activity_at.localeCompare(a.last_activity_at) || b.id - a.id).map((r) => r.id),
    created: [...rows].sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id).map((r) => r.id),
    id: [...rows].sort((a, b) => b.id - a.id).map((r) => r.id),
  };
  t.ok(rows.length > 100, 'more than two pages');
  const client = await loggedIn(d.app, cora.email);
  for (const sort of ['activity', 'created', 'id'] as const) {
    const seen: number[] = [];
    let url: string | null = `/portal/tickets?status=support&sort=${sort}`;
    let pages = 0;
    while (url) {
      const page = await client.get(url);
      t.equal(page.statusCode, 200, url);
      seen.push(...ticketIdsIn(page.body));
      pages++;
      const next = /<p class="pager"><a href="([^"]+)"/.exec(page.body)?.[1]?.replace(/&amp;/g, '&') ?? null;
      if (next) {
        t.match(next, 'status=support', 'the pager keeps the filter');
        if (sort !== 'activity') t.match(next, `sort=${sort}`, 'and the sort');
      }
      url = next;
    }
    t.equal(pages, 3, `${sort}: 50 + 50 + the rest`);
    t.same(seen, expected[sort], `${sort}: every ticket once, in order`);
  }
});
