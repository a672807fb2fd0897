import { sql } from 'kysely';
import t from 'tap';
import { purgeFromBin } from '../../src/bin/bin.js';
import { writeFieldValues } from '../../src/kernel/fields.js';
import { mergeTicketInto, splitTicketAt } from '../../src/links/links.js';
import { postAgentMessage } from '../../src/messages/messages.js';
import { rebuildSearchIndex, withSearchIndexPaused } from '../../src/search/index.js';
import { writeStaleDocuments } from '../../src/search/portal-documents.js';
import { deleteTicket } from '../../src/tickets/delete.js';
import { toActor } from '../../src/users/actor.js';
import { onPostgres } from '../helpers/database.js';
import { makeMessage, makeMessages, makeTicket, makeUser, ticketIdsIn } from '../helpers/factories.js';
import { desk, loggedIn, makeCustomer } from './my-tickets-helpers.js';

// A customer's common word is checked, ticket by ticket, against one document of what she may match
// in each ticket (search_portal, SQLite: migration 0054): its subject, visible fields and public
// messages. Every write that changes any of that marks the ticket's document out of date in its own
// transaction, the server writes it again between requests (writeStaleDocuments), and meanwhile the
// ticket is checked part by part. Here each change is followed by what the customer then finds, both
// before the document is written again and after (on PostgreSQL, which has no such index, the same
// pages). Every word searched is in more than 20,000 messages of another customer's ticket, so the
// search walks her tickets (portal/search-walk.ts).

const WORDS = ['gadget', 'widget', 'sprocket', 'lantern', 'orchid', 'quasar', 'nebula', 'zephyr'];

t.test('what a customer finds follows every change of what she may match, never a note, before and after her tickets are indexed again', async (t) => {
  const d = await desk(t);
  const admin = await makeUser(d.db, 'admin', { name: 'Ada Admin' });
  const adminActor = toActor(await d.db.selectFrom('users').selectAll().where('id', '=', admin.id).executeTakeFirstOrThrow());
  const ann = await makeCustomer(d.db, 'Ann');
  const zed = await makeCustomer(d.db, 'Zed');
  const filler = await makeTicket(d.db, { requesterId: zed.id, subject: 'Elsewhere' });
  await makeMessages(d.db, Array.from({ length: 20_001 }, (_, i) => ({ ticketId: filler, authorId: null, text: `filler ${i} ${WORDS.join(' ')}` })));
  const client = await loggedIn(d.app, ann.email);

  /** Ann's search as she sees it: the page answered 200, the ids of the tickets it lists. */
  const found = async (q: string) => {
    const page = await client.get(`/portal/tickets?q=${encodeURIComponent(q)}`);
    t.equal(page.statusCode, 200, `"${q}" answered`);
    return ticketIdsIn(page.body);
  };
  /** What the server does between requests: every out-of-date document written again (SQLite). */
  const indexed = async () => {
    if (onPostgres) return;
    while (await writeStaleDocuments(d.db, 2) > 0);
    t.equal(Number((await sql<{ n: number }>`select count(*) as n from search_portal_dirty`.execute(d.db)).rows[0]!.n), 0, 'no document left out of date');
  };
  /** The same answer before her tickets' documents are written again and after. */
  const finds = async (q: string, ids: number[], what: string) => {
    t.same(await found(q), ids, `${what} (documents out of date)`);
    await indexed();
    t.same(await found(q), ids, `${what} (documents written again)`);
  };
  /** The portal index's own answer for a word (SQLite): the ticket ids its documents hold. */
  const documentsWith = async (word: string) => onPostgres ? null
    : (await sql<{ id: number }>`select rowid as id from search_portal where search_portal match ${word} order by rowid`.execute(d.db)).rows.map((r) => r.id);

  const lamp = await makeTicket(d.db, { requesterId: ann.id, subject: 'Lantern flickers' });
  const router = await makeTicket(d.db, { requesterId: ann.id, subject: 'Router' });
  await finds('lantern', [lamp], 'a subject');
  if (!onPostgres) t.same(await documentsWith('lantern'), [filler, lamp], 'the documents hold the filler\'s replies and her subject');

  await d.db.updateTable('tickets').set({ subject: 'Lamp flickers' }).where('id', '=', lamp).execute();
  await finds('lantern', [], 'an edited subject: the old word no longer finds it');

  await postAgentMessage(d.db, adminActor, router, { kind: 'reply', body: 'Have you tried the orchid setting?' });
  await finds('orchid', [router], 'a new public reply');

  const note = await postAgentMessage(d.db, adminActor, router, { kind: 'note', body: 'Customer seems confused, quasar issue' });
  await finds('quasar', [], 'an internal note: never matched by a customer');
  if (!onPostgres) t.same(await documentsWith('quasar'), [filler], 'the note\'s words are in no document of hers');
  t.equal(note.kind, 'note');

  // A reply made a note, a reply's text removed (redacted), a reply deleted: each takes its words away.
  const reply = await makeMessage(d.db, lamp, { authorId: null, kind: 'reply', text: 'The nebula driver is old' });
  const chat = await makeMessage(d.db, lamp, { authorId: null, kind: 'chat', text: 'zephyr mode on' });
  const update = await makeMessage(d.db, router, { authorId: null, kind: 'update', text: 'sprocket replaced' });
  await finds('nebula', [lamp], 'a reply');
  await finds('zephyr', [lamp], 'a chat line');
  await d.db.updateTable('messages').set({ kind: 'note' }).where('id', '=', reply).execute();
  await finds('nebula', [], 'a reply made a note');
  await d.db.updateTable('messages').set({ body_text: '[removed]' }).where('id', '=', chat).execute();
  await finds('zephyr', [], 'a chat line redacted');
  await d.db.deleteFrom('messages').where('id', '=', update).execute();
  await finds('sprocket', [], 'an update deleted');

  // Two of her tickets merged: the survivor holds the merged one's messages, the merged one none.
  const printer = await makeTicket(d.db, { requesterId: ann.id, subject: 'Printer' });
  const jam = await makeTicket(d.db, { requesterId: ann.id, subject: 'Paper jam' });
  await makeMessage(d.db, jam, { authorId: null, kind: 'reply', text: 'the widget tray sticks' });
  await finds('widget', [jam], 'before the merge');
  await mergeTicketInto(d.db, adminActor, printer, { other: jam, acrossBrands: false }, (id) => `Merged into #${id}`);
  await finds('widget', [printer], 'after the merge, the survivor (the merged ticket is closed and no longer matches)');

  // A message split off to a ticket of its own: found there, no longer in the ticket it left.
  const disk = await makeTicket(d.db, { requesterId: ann.id, subject: 'Disk' });
  await makeMessage(d.db, disk, { authorId: null, kind: 'reply', text: 'first message' });
  const gadget = await makeMessage(d.db, disk, { authorId: null, kind: 'reply', text: 'and a gadget question' });
  await finds('gadget', [disk], 'before the split');
  const split = await splitTicketAt(d.db, adminActor, disk, gadget);
  await finds('gadget', [split], 'after the split, only the new ticket');
  await deleteTicket(d.db, adminActor, split);
  await finds('gadget', [], 'a deleted ticket (in the bin)');
  await purgeFromBin(d.db, adminActor, split, d.config.uploadsDir);
  t.equal(await d.db.selectFrom('tickets').select('id').where('id', '=', split).executeTakeFirst(), undefined, 'purged: the ticket is gone');
  await finds('gadget', [], 'a ticket deleted for good');
  if (!onPostgres) t.same(await documentsWith('gadget'), [filler], 'and its document');

  // A field's value: matched once the field is visible to customers, not before.
  const field = (await d.db.insertInto('fields').values({ key: 'serial', label: 'Serial', kind: 'text', created_at: '2026-01-01T00:00:00Z', retired_at: null, required_before_category: null })
    .returning('id').executeTakeFirstOrThrow()).id;
  await d.db.updateTable('fields').set({ customer_visible: 0 }).where('id', '=', field).execute();
  await d.db.insertInto('ticket_field_values').values({ ticket_id: lamp, field_id: field, value: 'SN-QUASAR' }).execute();
  await finds('quasar', [], 'an internal field\'s value');
  await d.db.updateTable('fields').set({ customer_visible: 1 }).where('id', '=', field).execute();
  await finds('quasar', [lamp], 'the field made visible');
  // The kernel writes values with an upsert, over a ticket already out of date: the write goes through.
  for (const value of ['SN-NEBULA', 'SN-QUASAR-2']) await d.db.transaction().execute((trx) => writeFieldValues(trx, lamp, new Map([[field, value]])));
  await finds('quasar', [lamp], 'a value changed twice by the kernel, the second time before the document was written');
  await finds('nebula', [], 'and not the one between');

  // Several words: each in one part (the subject and its visible fields together, or one message),
  // as before the documents, though a document holds them all.
  const modem = await makeTicket(d.db, { requesterId: ann.id, subject: 'Lantern modem' });
  await makeMessage(d.db, modem, { authorId: null, kind: 'reply', text: 'it blinks orchid' });
  await makeMessage(d.db, modem, { authorId: null, kind: 'reply', text: 'nebula then' });
  await finds('lantern nebula', [], 'two words, one in the subject, one in a reply');
  await finds('"orchid nebula"', [], 'a phrase across two messages');
  await finds('orchid lantern', [], 'a reply\'s word and the subject\'s');
  await finds('"blinks orchid"', [modem], 'a phrase in one message');
  await finds('lantern', [modem], 'one word still found in the subject');

  // A bulk load (the demo's) with the triggers paused: the rebuild writes every document.
  let loaded = 0;
  await withSearchIndexPaused(d.db, async () => {
    loaded = await makeTicket(d.db, { requesterId: ann.id, subject: 'Loaded' });
    await makeMessage(d.db, loaded, { authorId: null, kind: 'reply', text: 'sprocket loaded' });
  });
  if (!onPostgres) t.same(await documentsWith('sprocket'), [filler, loaded], 'the rebuild wrote the loaded ticket\'s document');
  await finds('sprocket', [loaded], 'a ticket loaded with the index paused');
  await rebuildSearchIndex(d.db);
  t.same(await found('orchid'), [router, modem], 'after a rebuild: the same');
  t.same(await found('quasar'), [lamp], 'after a rebuild: the visible field, never the note');
});
