// FTS5's segments are merged by the server a bounded step at a time (src/search/merging.ts), never
// all at once inside a write: at 1M tickets such a merge held one portal create for 4–6 s.
import { sql } from 'kysely';
import t from 'tap';
import { postAgentMessage } from '../../src/messages/messages.js';
import { mergeStep, startSearchMerging, takeOverMerging } from '../../src/search/merging.js';
import { DOCUMENTS_PER_STEP } from '../../src/search/portal-documents.js';
import { sqliteOnly } from '../helpers/database.js';
import { makeTickets } from '../helpers/factories.js';
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
