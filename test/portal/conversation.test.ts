// The customer's ticket page (issue 19): the conversation first with the status changes folded in,
// the reply box under it, a way to write on every solved ticket, the messenger called a live chat.
import t, { type Test } from 'tap';
import { nowIso } from '../../src/lib/time.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeEvent, makeMessage, makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';

// Simple workflow: 1 New, 2 Open, 3 Pending ("In progress" to customers), 4 Solved, 5 Closed.
async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const { db } = desk;
  const cora = await makeUser(db, 'customer', { name: 'Cora' });
  const agent = await makeUser(db, 'agent', { name: 'Robin Agent' });
  const [id] = await makeTickets(db, 1, { requesterId: cora.id, subject: 'Printer offline', statusId: 3 });
  const client = new Client(desk.app);
  await client.login(cora.email, PASSWORD);
  return { ...desk, cora, agent, id: id!, client };
}

const order = (html: string, ...texts: string[]) => texts.map((text) => html.indexOf(text));
const ascending = (numbers: number[]) => numbers.every((n, i) => n >= 0 && (i === 0 || n > numbers[i - 1]!));

t.test('the conversation comes first, the status changes folded in as small lines in time order, and the reply box under it', async (t) => {
  const { db, client, cora, agent, id } = await setup(t);
  await makeEvent(db, id, { actorId: cora.id, kind: 'created', from: null, to: null, at: '2026-03-01T08:00:00.000Z' });
  await makeMessage(db, id, { authorId: cora.id, kind: 'reply', text: 'The printer is offline', at: '2026-03-01T08:00:00.000Z' });
  await makeEvent(db, id, { actorId: agent.id, kind: 'status', from: 'Open', to: 'Pending', at: '2026-03-01T09:00:00.000Z' });
  await makeMessage(db, id, { authorId: agent.id, kind: 'update', text: 'Technician on Monday', at: '2026-03-01T10:00:00.000Z' });
  await makeMessage(db, id, { authorId: agent.id, kind: 'note', text: 'CANARY-NOTE', at: '2026-03-01T10:30:00.000Z' });

  const page = await client.page(`/portal/tickets/${id}`);
  t.ok(ascending(order(page, '<h1>', 'Ticket submitted', 'The printer is offline', 'Status changed from Open to In progress', 'Technician on Monday',
    '<h2 id="reply-title">Reply</h2>', 'My problem is solved', '<h2 id="details-title">Details</h2>')),
  'heading, then the story with its status lines, the reply box under it, then the rest', { positions: order(page, 'Ticket submitted', 'The printer is offline') });
  t.match(page, /<p class="status-line">Status changed from Open to In progress · <time datetime="2026-03-01T09:00:00.000Z" title="[^"]+">/,
    'a status change is a small line with its time');
  t.notMatch(page, 'class="timeline"', 'no separate timeline any more');
  t.notMatch(page, 'CANARY-NOTE');
  t.match(page, '<button type="submit" class="primary">Send reply</button>');
});

t.test('the messenger is labelled as a live chat and says what it is for', async (t) => {
  const { client, id } = await setup(t);
  const page = await client.page(`/portal/tickets/${id}`);
  t.match(page, /<h2 id="messenger-title">Chat with the team<\/h2>\s*<p class="hint chat-purpose">For quick questions while you are here; we also mail you what you missed\.<\/p>/);
});

t.test('a solved ticket always offers a way to write: "Reply to reopen", or a follow-up ticket where replies do not reach the team', async (t) => {
  const { db, app, client, cora, id } = await setup(t);
  await db.updateTable('tickets').set({ status_id: 4, solved_at: nowIso() }).where('id', '=', id).execute();
  const solved = await client.page(`/portal/tickets/${id}`);
  t.match(solved, /<h2 id="reply-title">Reply to reopen<\/h2>\s*<p class="hint">This ticket is solved\. If you write, it is reopened/);
  t.match(solved, `<form method="post" action="/portal/tickets/${id}/replies"`);
  t.match(solved, '<button type="submit" class="primary">Send and reopen</button>');
  t.match(solved, 'How did we do?', 'the rating box too');

  const internalType = await db.insertInto('ticket_types').values({ name: 'Account created', customer_facing: 0, default_group_id: null,
    initial_status_id: null, retired_at: null, created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  const [quiet] = await makeTickets(db, 1, { requesterId: cora.id, subject: 'Your account', typeId: internalType.id, statusId: 4 });
  const page = await client.page(`/portal/tickets/${quiet}`);
  t.match(page, 'How did we do?', 'a solved ticket of a type whose comments stay among staff still asks for a rating');
  t.notMatch(page, '/replies"', 'no reply box: replies would not reach the team');
  t.match(page, /<h2 id="followup-title">Write to us<\/h2>\s*<p>Messages on this ticket do not reach our team here\.[^<]*<\/p>\s*<p><a class="button" href="\/portal\/tickets\/new\?followup=\d+">Open a follow-up ticket<\/a>/,
    'but a follow-up ticket, which names this one');
  const form = await client.page(`/portal/tickets/new?followup=${quiet}`);
  t.match(form, `value="Follow-up to #${quiet}: Your account"`);

  await db.updateTable('tickets').set({ status_id: 2 }).where('id', '=', quiet!).execute();
  t.match(await client.page(`/portal/tickets/${quiet}`), 'Open a follow-up ticket', 'so does an open one of that type');
  t.ok(app);
});

t.test('the CC form\'s button sits beside its input alone, not beside the label and hint', async (t) => {
  const { client, id } = await setup(t);
  const page = await client.page(`/portal/tickets/${id}`);
  t.match(page, /<label for="f-email">Copy someone in<\/label>\s*<div class="input-with-button">\s*<input id="f-email" name="email" type="email"[^>]*>\s*<button type="submit">Add<\/button>\s*<\/div>\s*<p class="hint" id="f-email-hint">/);
  const refused = await client.post(`/portal/tickets/${id}/ccs`, { email: 'not an address' });
  t.equal(refused.statusCode, 422);
  t.match(refused.body, /<input id="f-email" name="email" type="email" value="not an address" aria-describedby="f-email-hint f-email-error" aria-invalid="true">/,
    'a refused address is kept and marked');
});
