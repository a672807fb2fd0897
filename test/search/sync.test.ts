import t from 'tap';
import { sql } from 'kysely';
import { postAgentMessage } from '../../src/messages/messages.js';
import { mergePeople } from '../../src/people/merge.js';
import { rebuildSearchIndex, withSearchIndexPaused } from '../../src/search/index.js';
import { deleteTicket } from '../../src/tickets/delete.js';
import { sqliteOnly } from '../helpers/database.js';
import { makeUser } from '../helpers/factories.js';
import { message, resultIds, search, searchDesk, segments, ticket } from './helpers.js';

// Triggers keep the index in the write's own transaction, whatever path writes: each step is
// followed by what an agent then finds.
t.test('the index follows subject edits, replies, field values, renames, merges and deletes', async (t) => {
  const d = await searchDesk(t);
  const found = async (q: string) => resultIds((await search(d.client, q)).body);
  const id = await ticket(d.db, { requesterId: d.customer.id, subject: 'Keyboard sticky' });
  t.same(await found('keyboard'), [id]);

  await d.db.updateTable('tickets').set({ subject: 'Mouse sticky' }).where('id', '=', id).execute();
  t.same(await found('keyboard'), [], 'the old subject word no longer finds it');
  t.same(await found('mouse'), [id], 'the new one does');

  await postAgentMessage(d.db, d.adminActor, id, { kind: 'reply', body: 'Try the turboencabulator reset.' });
  t.same(await found('turboencabulator'), [id], 'a new reply is found at once');

  const field = (await d.db.insertInto('fields').values({ key: 'serial', label: 'Serial', kind: 'text', created_at: '2026-01-01T00:00:00Z', retired_at: null, required_before_category: null })
    .returning('id').executeTakeFirstOrThrow()).id;
  await d.db.insertInto('ticket_field_values').values({ ticket_id: id, field_id: field, value: 'SN-ALPHA7' }).execute();
  t.same(await found('alpha7'), [id], 'a field value');
  await d.db.updateTable('ticket_field_values').set({ value: 'SN-BRAVO8' }).where('ticket_id', '=', id).execute();
  t.same(await found('alpha7'), [], 'an edited field value drops the old one');
  t.same(await found('bravo8'), [id]);

  await d.db.updateTable('users').set({ name: 'Quentin Quux' }).where('id', '=', d.customer.id).execute();
  t.same(await found('quux'), [id], 'the requester\'s new name');
  const org = (await d.db.insertInto('organizations').values({ name: 'Zyxel Works', created_at: '2026-01-01T00:00:00Z' }).returning('id').executeTakeFirstOrThrow()).id;
  await d.db.updateTable('tickets').set({ organization_id: org }).where('id', '=', id).execute();
  await d.db.updateTable('organizations').set({ name: 'Yoyodyne' }).where('id', '=', org).execute();
  t.same(await found('zyxel'), []);
  t.same(await found('yoyodyne'), [id], 'the organisation\'s new name');

  const duplicate = await makeUser(d.db, 'customer', { name: 'Dup Licate' });
  const other = await ticket(d.db, { requesterId: duplicate.id, subject: 'Dup question' });
  t.same(await found('licate'), [other]);
  await mergePeople(d.db, d.adminActor, d.customer.id, { removedId: duplicate.id });
  t.same(await found('licate'), [], 'after a merge the removed person\'s name is gone');
  t.same((await found('quux')).sort(), [id, other].sort(), 'and the kept person\'s name finds both');

  await deleteTicket(d.db, d.adminActor, id);
  t.same(await found('mouse'), [], 'a deleted ticket is gone');
  t.same(await found('turboencabulator'), [], 'with its messages');
});

t.test('a bulk load with the index paused is searchable after the rebuild', async (t) => {
  const d = await searchDesk(t);
  let id = 0;
  await withSearchIndexPaused(d.db, async () => {
    id = await ticket(d.db, { requesterId: d.customer.id, subject: 'Bulk loaded' });
    await message(d.db, id, d.customer.id, 'reply', 'hyperdrive');
    t.same((await d.db.selectFrom('messages').select('id').execute()).length, 1);
  });
  t.same(resultIds((await search(d.client, 'hyperdrive')).body), [id]);
  t.same(resultIds((await search(d.client, 'bulk')).body), [id]);
  const later = await ticket(d.db, { requesterId: d.customer.id, subject: 'After the load' });
  t.same(resultIds((await search(d.client, 'after')).body), [later], 'the triggers are back');
  await rebuildSearchIndex(d.db);
  t.same(resultIds((await search(d.client, 'hyperdrive')).body), [id], 'a second rebuild changes nothing');
});

t.test('a bulk load may drop the loaded tables\' plain indexes too: they are back, the same, afterwards',
  sqliteOnly('PostgreSQL loads with its indexes and triggers in place (multi-row batches)'), async (t) => {
  const d = await searchDesk(t);
  const indexes = async (table: string) => (await sql<{ name: string; sql: string }>`select name, sql from sqlite_master
    where type = 'index' and tbl_name = ${table} and sql is not null order by name`.execute(d.db)).rows;
  const [tickets, tags] = [await indexes('tickets'), await indexes('ticket_tags')];
  t.ok(tickets.length >= 10, `the tickets have ${tickets.length} indexes`);
  let id = 0;
  await withSearchIndexPaused(d.db, async () => {
    t.same(await indexes('tickets'), [], 'the tickets\' indexes are gone while the load runs');
    t.same((await indexes('ticket_tags')).map((i) => i.name), tags.map((i) => i.name), 'a table not named keeps its indexes');
    id = await ticket(d.db, { requesterId: d.customer.id, subject: 'Loaded without indexes' });
  }, undefined, ['tickets']);
  t.same(await indexes('tickets'), tickets, 'every index is back, as it was defined');
  const plan = (await sql<{ detail: string }>`explain query plan select id from tickets where assignee_id = 1 order by last_activity_at desc`.execute(d.db)).rows;
  t.match(plan.map((p) => p.detail).join('\n'), /USING (COVERING )?INDEX tickets_assignee/, 'and the planner uses them');
  t.same(resultIds((await search(d.client, 'indexes')).body), [id], 'the loaded ticket is found');
  const hash = await sql<{ v: number }>`select v from search_messages_config where k = 'hashsize'`.execute(d.db);
  t.same(hash.rows, [{ v: 1024 * 1024 }], 'the rebuild\'s large in-memory segments are back to FTS5\'s 1 MiB for everyday writes');
});

t.test('a rebuild leaves each index as one segment: no later write merges its large segments', sqliteOnly('FTS5 segments'), async (t) => {
  const d = await searchDesk(t);
  // Segments written one transaction at a time, as a desk's writes leave them.
  for (let i = 0; i < 6; i++) {
    const id = await ticket(d.db, { requesterId: d.customer.id, subject: `Segment ${i}` });
    await postAgentMessage(d.db, d.adminActor, id, { kind: 'reply', body: `Reply number ${i}.` });
  }
  t.ok(await segments(d.db, 'search_messages') > 1, `written one by one, the messages' index has several segments (${await segments(d.db, 'search_messages')})`);
  await rebuildSearchIndex(d.db);
  t.equal(await segments(d.db, 'search_messages'), 1, 'the messages\' index: one segment after a rebuild');
  t.equal(await segments(d.db, 'search_tickets'), 1, 'the tickets\' index: one segment');
  t.same(resultIds((await search(d.client, 'segment')).body).length, 6, 'and everything is still found');
});
