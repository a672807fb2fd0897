// FTS5's segments are merged by the server a bounded step at a time (src/search/merging.ts), never
// all at once inside a write: at 1M tickets such a merge held one portal create for 4–6 s.
import { sql } from 'kysely';
import t from 'tap';
import { postAgentMessage } from '../../src/messages/messages.js';
import { rebuildSearchIndex } from '../../src/search/maintenance.js';
import { mergeStep, startSearchMerging, takeOverMerging } from '../../src/search/merging.js';
import { DOCUMENTS_PER_STEP } from '../../src/search/portal-documents.js';
import { segmentsOf } from '../../src/search/segments.js';
import { sqliteOnly } from '../helpers/database.js';
import { makeMessages, makeTickets } from '../helpers/factories.js';
import { resultIds, search, searchDesk, segments, ticket } from './helpers.js';

t.test('writes leave merging to the server\'s steps, which bring the segments down while everything stays found', sqliteOnly('FTS5 segments'), async (t) => {
  const d = await searchDesk(t);
  await takeOverMerging(d.db);
  const before = await segments(d.db, 'search_messages');
  // Each write its own transaction, so its own segment: more than FTS5's crisis merge (16) allows on a level.
  const ids: number[] = [];
  for (let i = 0; i < 24; i++) {
    const id = await ticket(d.db, { requesterId: d.customer.id, subject: `Merge subject ${i}` });
    await postAgentMessage(d.db, d.adminActor, id, { kind: 'reply', body: `Merge reply word${i}x.` });
    ids.push(id);
  }
  const written = await segments(d.db, 'search_messages');
  t.ok(written >= before + 24, `no write merged: ${before} -> ${written} segments in the messages' index`);

  for (let i = 0; i < 20; i++) await mergeStep(d.db, 8);
  const merged = await segments(d.db, 'search_messages');
  t.ok(merged < written / 2, `the steps merged them: ${written} -> ${merged}`);
  for (const i of [0, 11, 23]) t.same(resultIds((await search(d.client, `word${i}x`)).body), [ids[i]], `a reply merged into a larger segment is still found (${i})`);

  // The server's timer: a step after writes, none while the desk is idle.
  const warnings: unknown[] = [];
  const merging = await startSearchMerging(d.db, { warn: (obj) => warnings.push(obj) }, 20);
  t.teardown(() => merging.stop());
  for (let i = 0; i < 8; i++) await ticket(d.db, { requesterId: d.customer.id, subject: `Later subject ${i}` });
  const afterWrites = await segments(d.db, 'search_tickets');
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.ok(await segments(d.db, 'search_tickets') < afterWrites, `the timer merged the tickets' index after writes (${afterWrites} -> ${await segments(d.db, 'search_tickets')})`);
  t.same(warnings, [], 'without a failed step');
  t.equal(resultIds((await search(d.client, 'later')).body).length, 8, 'and the tickets written meanwhile are found');
});

t.test('a rebuilt index is one segment on a high level, which the merge steps after many writes leave alone', sqliteOnly('FTS5 segments'), async (t) => {
  const d = await searchDesk(t);
  const ids: number[] = [];
  for (let i = 0; i < 20; i++) ids.push(await ticket(d.db, { requesterId: d.customer.id, subject: `Rebuilt subject ${i}` }));
  await makeMessages(d.db, Array.from({ length: 3000 }, (_, i) => ({ ticketId: ids[i % 20]!, authorId: d.admin.id, text: `Rebuilt reply ${i}: printer floor word${i}y` })));
  await takeOverMerging(d.db); // a serving desk's settings, as the server leaves them: no merge inside writes
  // Written a few hundred bytes at a time, the desk's 3,000 messages make many segments, as a large desk's do.
  await rebuildSearchIndex(d.db, { hashBytes: 256 });
  const rebuilt = await segmentsOf(d.db, 'search_messages');
  t.equal(rebuilt.length, 1, 'one segment');
  t.ok(rebuilt[0]!.level >= 6, `on level ${rebuilt[0]!.level}: levels merged two at a time while it was written (5 at FTS5's four, 3 with merging off)`);

  // Writes, each its own segment, with the server's steps between them: they merge the small
  // segments among themselves on the levels below and leave the large one as it is.
  for (let i = 0; i < 40; i++) {
    const id = await ticket(d.db, { requesterId: d.customer.id, subject: `After subject ${i}` });
    await postAgentMessage(d.db, d.adminActor, id, { kind: 'reply', body: `After reply word${i}z.` });
    if (i % 4 === 3) await mergeStep(d.db);
  }
  const after = await segmentsOf(d.db, 'search_messages');
  t.ok(after.length > 1 && after.length < 40, `the steps merged the writes' segments (${after.length} segments)`);
  t.ok(after.some((s) => s.level === rebuilt[0]!.level && s.leaves === rebuilt[0]!.leaves), 'and left the rebuilt one whole on its level');
  t.same(resultIds((await search(d.client, 'word7y')).body).length, 1, 'what the rebuild indexed is found');
  t.same(resultIds((await search(d.client, 'word39z')).body).length, 1, 'and what came after');
  for (const index of ['search_messages', 'search_tickets', 'search_portal']) {
    const { rows } = await sql<{ k: string; v: number }>`select k, v from ${sql.table(`${index}_config`)} where k in ('automerge', 'crisismerge', 'hashsize') order by k`.execute(d.db);
    t.same(rows.map((r) => [r.k, Number(r.v)]), [['automerge', 0], ['crisismerge', 64], ['hashsize', 1024 * 1024]], `${index} is left with the serving desk's settings`);
  }
});

t.test('the server\'s steps write the portal\'s out-of-date documents, more than one step\'s worth, a note\'s words never in them', sqliteOnly('FTS5 documents'), async (t) => {
  const d = await searchDesk(t);
  const dirty = async () => Number((await sql<{ n: number }>`select count(*) as n from search_portal_dirty`.execute(d.db)).rows[0]!.n);
  const holding = async (word: string) => (await sql<{ id: number }>`select rowid as id from search_portal where search_portal match ${word} order by rowid`
    .execute(d.db)).rows.map((row) => row.id);
  // More tickets than a step writes (DOCUMENTS_PER_STEP): the steps go on until none is left.
  const ids = await makeTickets(d.db, DOCUMENTS_PER_STEP + 20, (i) => ({ requesterId: d.customer.id, subject: `Portal subject ${i}` }));
  await postAgentMessage(d.db, d.adminActor, ids[0]!, { kind: 'reply', body: 'A reply about the flux capacitor.' });
  await postAgentMessage(d.db, d.adminActor, ids[0]!, { kind: 'note', body: 'A note about the tachyon leak.' });
  t.equal(await dirty(), DOCUMENTS_PER_STEP + 20, 'every new ticket\'s document is out of date');
  t.same(await holding('portal'), [], 'and not written by the writes');

  const warnings: unknown[] = [];
  const merging = await startSearchMerging(d.db, { warn: (obj) => warnings.push(obj) }, 20);
  t.teardown(() => merging.stop());
  for (let i = 0; i < 50 && await dirty() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  t.equal(await dirty(), 0, 'the steps wrote them all');
  t.same(warnings, [], 'without a failed step');
  t.same(await holding('portal'), ids, 'each ticket\'s document holds its subject');
  t.same(await holding('capacitor'), [ids[0]], 'and its public reply');
  t.same(await holding('tachyon'), [], 'never its note');
});
