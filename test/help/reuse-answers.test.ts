// Reusing answers on a ticket (issue 23, point 5): the ticket page's side panel lists the nearest
// solved tickets the agent may see, and "Create article from this ticket" opens the new-article form
// filled in from the subject and the latest public reply by staff (never a note); nothing is saved
// until the agent presses Save.
import t, { type Test } from 'tap';
import type { Db } from '../../src/db/connect.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeMessage, makeTicket, makeUser, PASSWORD } from '../helpers/factories.js';

async function setup(t: Test) {
  const { app, db } = await buildTestDesk(t);
  const customer = await makeUser(db, 'customer', { name: 'Cora Customer' });
  const agentUser = await makeUser(db, 'agent', { name: 'Robin Agent' });
  const providerUser = await makeUser(db, 'agent', { name: 'Rex Provider' });
  const group = (await db.insertInto('groups').values({ name: 'Provider East', is_restricted: 1, created_at: '2026-01-01T00:00:00Z' }).returning('id').executeTakeFirstOrThrow()).id;
  await db.insertInto('group_members').values({ group_id: group, user_id: providerUser.id }).execute();
  const login = async (email: string) => {
    const client = new Client(app);
    await client.login(email, PASSWORD);
    return client;
  };
  const solved = (await db.selectFrom('statuses').select('id').where('category', '=', 'solved').orderBy('id').executeTakeFirstOrThrow()).id;
  return { app, db, customer, agentUser, group, solved, agent: await login(agentUser.email), provider: await login(providerUser.email), cora: await login(customer.email) };
}

/** A ticket with its first message from the customer; its id. */
async function ticketWith(db: Db, requesterId: number, subject: string, message: string, more: { statusId?: number; groupId?: number } = {}) {
  const id = await makeTicket(db, { requesterId, subject, ...more });
  await makeMessage(db, id, { authorId: requesterId, text: message });
  return id;
}

const PARTIAL = { 'HX-Request': 'true', 'HX-Request-Type': 'partial' };

/** The side panel's similar solved tickets, as htmx loads them into the ticket page. */
async function similarPanel(t: Test, client: Client, ticketId: number): Promise<string> {
  const response = await client.get(`/agent/tickets/${ticketId}/similar`, PARTIAL);
  t.equal(response.statusCode, 200, `the similar tickets of #${ticketId} load`);
  return response.body;
}

t.test('the side panel lists the nearest solved tickets the agent may see, five at most, never this one or an open one', async (t) => {
  const { db, customer, group, solved, agent, provider } = await setup(t);
  const current = await ticketWith(db, customer.id, 'Printer jams in tray 2', 'The office printer jams on every page since Monday.', { groupId: group });
  const paperJam = await ticketWith(db, customer.id, 'Paper jam on the office printer', 'Pages get stuck.', { statusId: solved, groupId: group });
  const toner = await ticketWith(db, customer.id, 'Printer toner empty', 'No ink left.', { statusId: solved });
  const stillOpen = await ticketWith(db, customer.id, 'Printer jams again', 'Same as before.');
  const unrelated = await ticketWith(db, customer.id, 'Vacation request', 'I need two weeks off.', { statusId: solved });
  const byMessage = await ticketWith(db, customer.id, 'A question', 'Since Monday the tray jams on every page.', { statusId: solved });

  const page = await agent.page(`/agent/tickets/${current}`);
  t.match(page, /<section class="ticket-reuse"[\s\S]*Similar solved tickets/, 'the ticket page\'s side panel has the section');
  t.match(page, `hx-get="/agent/tickets/${current}/similar" hx-trigger="load"`, 'which loads the list after the page');
  t.match(page, `<a href="/agent/tickets/${current}/similar">Show similar solved tickets</a>`, 'and without JavaScript links to it');
  const similar = await similarPanel(t, agent, current);
  t.notMatch(similar, '<html', 'htmx gets the list alone');
  t.match(similar, `href="/agent/tickets/${paperJam}"`, 'the solved paper jam is listed');
  t.match(similar, 'Paper jam on the office printer', 'by its subject');
  t.match(similar, `href="/agent/tickets/${toner}"`, 'and the solved printer ticket');
  t.ok(similar.indexOf(`/agent/tickets/${paperJam}"`) < similar.indexOf(`/agent/tickets/${toner}"`), 'the nearer one first');
  t.match(similar, `href="/agent/tickets/${byMessage}"`, 'and one whose messages say the same');
  t.notMatch(similar, `href="/agent/tickets/${stillOpen}"`, 'not an open ticket');
  t.notMatch(similar, `href="/agent/tickets/${unrelated}"`, 'not an unrelated one');
  t.notMatch(similar, `href="/agent/tickets/${current}"`, 'not the ticket itself');

  const providerPage = await similarPanel(t, provider, current);
  t.match(providerPage, `href="/agent/tickets/${paperJam}"`, 'an agent of a restricted group sees their group\'s solved ticket');
  t.notMatch(providerPage, `href="/agent/tickets/${toner}"`, 'but not one outside their group');
  t.notMatch(providerPage, 'Printer toner empty');

  for (let n = 0; n < 6; n++) await ticketWith(db, customer.id, `Printer jams, case ${n}`, 'Tray 2 again.', { statusId: solved });
  const many = await similarPanel(t, agent, current);
  t.equal([...many.matchAll(/href="\/agent\/tickets\/\d+"/g)].length, 5, 'five at most');

  const lonely = await ticketWith(db, customer.id, 'Zebra', 'Quagga.');
  t.match(await similarPanel(t, agent, lonely), 'No similar solved tickets.', 'a ticket like no other says so');
  const withoutJs = await agent.page(`/agent/tickets/${current}/similar`);
  t.match(withoutJs, '<h1 id="similar-title">Similar solved tickets for #', 'without JavaScript the list is a page of its own');
  const listed = [...many.matchAll(/href="\/agent\/tickets\/\d+"/g)].map((m) => m[0]);
  t.ok(listed.every((href) => withoutJs.includes(href)), 'with the same tickets');
  t.equal((await provider.get(`/agent/tickets/${lonely}/similar`)).statusCode, 404, 'not for a ticket the agent cannot see');
});

t.test('"Create article from this ticket" fills the form from the subject and the latest public reply; nothing is saved until Save', async (t) => {
  const { db, customer, agentUser, agent, provider, cora } = await setup(t);
  const now = new Date().toISOString();
  const texts = JSON.stringify({ en: { name: 'Printing', description: '' } });
  const category = await db.insertInto('help_categories').values({ position: 0, texts, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  const section = await db.insertInto('help_sections').values({ category_id: category.id, position: 0, texts, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  const ticket = await ticketWith(db, customer.id, 'Printer jams in tray 2', 'Cora here: the printer jams.');
  await makeMessage(db, ticket, { authorId: agentUser.id, text: 'Hello Cora, first try turning it off and on.' });
  await makeMessage(db, ticket, { authorId: agentUser.id, text: 'Hello Cora, open tray 2 and pull the sheet out gently.' });
  await makeMessage(db, ticket, { authorId: customer.id, text: 'Thanks, that worked! Cora, +49 170 1234567' });
  await makeMessage(db, ticket, { authorId: agentUser.id, kind: 'note', text: 'Staff only: Cora is a key account.' });

  t.match(await agent.page(`/agent/tickets/${ticket}`), `href="/agent/tickets/${ticket}/new-article"`, 'the ticket page offers "Create article from this ticket"');
  const form = await agent.page(`/agent/tickets/${ticket}/new-article`);
  t.match(form, 'value="Printer jams in tray 2"', 'the title is the ticket\'s subject');
  t.match(form, /<textarea[^>]*name="body"[^>]*>Hello Cora, open tray 2 and pull the sheet out gently.<\/textarea>/, 'the text is the latest public reply by staff');
  t.notMatch(form, 'key account', 'never the internal note');
  t.notMatch(form, '+49 170', 'nor the customer\'s own message');
  t.match(form, `Filled in from ticket #${ticket}: remove names, email addresses and other personal details before you save.`, 'the agent is reminded to take personal details out');
  t.equal((await db.selectFrom('help_articles').select('id').execute()).length, 0, 'nothing is saved by opening the form');

  const saved = await agent.post('/agent/help/articles', { sectionId: String(section.id), visibility: 'public', locale: 'en', title: 'Printer jams in tray 2', body: 'Open tray 2 and pull the sheet out gently.' });
  t.equal(saved.statusCode, 303, 'the agent edits the text and saves');
  const article = await db.selectFrom('help_articles as a').innerJoin('help_article_texts as x', 'x.article_id', 'a.id').select(['a.state', 'x.title', 'x.body']).executeTakeFirstOrThrow();
  t.same(article, { state: 'draft', title: 'Printer jams in tray 2', body: 'Open tray 2 and pull the sheet out gently.' }, 'a draft with what the agent saved');

  const hidden = await ticketWith(db, customer.id, 'In no group', 'Hidden from the provider.');
  t.equal((await provider.get(`/agent/tickets/${hidden}/new-article`)).statusCode, 404, 'an agent of a restricted group cannot start from a ticket they cannot see');
  t.equal((await cora.get(`/agent/tickets/${ticket}/new-article`)).statusCode, 403, 'a customer cannot at all');
  const empty = await ticketWith(db, customer.id, 'No answer yet', 'Waiting.');
  t.match(await agent.page(`/agent/tickets/${empty}/new-article`), /name="body"[^>]*><\/textarea>/, 'a ticket without a reply gives an empty text');
});
