// FTS5's segments are merged by the server a bounded step at a time (src/search/merging.ts), never
// all at once inside a write: at 1M tickets such a merge held one portal create for 4–6 s.
import t from 'tap';
import { postAgentMessage } from '../../src/messages/messages.js';
import { mergeStep, startSearchMerging, takeOverMerging } from '../../src/search/merging.js';
import { sqliteOnly } from '../helpers/database.js';
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
