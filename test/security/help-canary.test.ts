// The canary for the help center (issue 23), beside test/security/canary.test.ts (whose walk of every
// GET route covers /help and /agent/help for customers too): internal and draft articles, which carry
// the canary, reach no customer and no visitor (the desk open to visitors) on any help page, search,
// suggestion, related list or the sitemap; staff do read the internal one.
import t from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { putSetting } from '../../src/settings/settings.js';
import { buildWorld, CANARY, CUSTOMERS } from './world.js';

const HTMX_VARIANTS = { plain: {}, partial: { 'HX-Request': 'true', 'HX-Request-Type': 'partial' } };

function leaks(response: LightMyRequestResponse): boolean {
  return response.body.includes(CANARY) || JSON.stringify(response.headers).includes(CANARY);
}

t.test('internal and draft articles reach no customer or visitor: no page, search, sitemap or related list; staff read the internal one', async (t) => {
  const world = await buildWorld(t);
  await putSetting(world.db, 'help.public', '1');
  const { a, b, draft } = world.ids.article;
  const paths = ['/help', `/help/categories/${world.ids.helpCategory.a}`, `/help/sections/${world.ids.helpSection.a}`, `/help/articles/${a}`,
    `/help/articles/${b}`, `/help/articles/${draft}`, '/help/search?q=b41d', '/help/search?q=staff', '/help/search?q=jam',
    '/help/search?q=%22staff-only%22', '/help/search?q=internal', '/help/search?q=draft', '/help/sitemap.xml',
    '/help/suggestions?subject=internal%20draft%20jam%20steps', `/help/articles/${a}?from=ticket`,
    `/help/images/${world.ids.helpImage.a}`, `/help/images/${world.ids.helpImage.b}`];
  const leaked: string[] = [];
  for (const actor of ['anonymous', ...CUSTOMERS] as const) {
    for (const path of paths) {
      // Boosted navigation gets the same full page as a plain request: plain and partial suffice here.
      for (const headers of Object.values(HTMX_VARIANTS)) {
        const response = await world.clients[actor].get(path, headers);
        if (leaks(response)) leaked.push(`${actor} ${path} (${response.statusCode})`);
      }
    }
  }
  for (const line of leaked) t.comment(line);
  t.equal(leaked.length, 0, 'no help center response to a customer or a visitor carries the canary');
  t.equal((await world.clients.anonymous.get(`/help/articles/${b}`)).statusCode, 404, 'the internal article is not found by a visitor');
  t.equal((await world.clients.customer.get(`/help/articles/${draft}`)).statusCode, 404, 'nor the draft by a customer');
  t.match(await world.clients.anonymous.page('/help/search?q=jam'), `/help/articles/${a}-clearing-a-paper-jam"`, 'while the public article is found');
  t.equal((await world.clients.customer.get(`/help/images/${world.ids.helpImage.b}`)).statusCode, 404, "nor the internal article's image by a customer");
  t.equal((await world.clients.anonymous.get(`/help/images/${world.ids.helpImage.a}`)).statusCode, 200, "while the public article's image is served");
  t.match(await world.clients.agent.page(`/help/articles/${b}`), `${CANARY} internal article`, 'staff read the internal article');
  t.match(await world.clients.agent.page('/help/search?q=steps'), `${CANARY} internal article`, 'and find it');
  t.equal((await world.clients.agent.get(`/help/articles/${draft}`)).statusCode, 404, 'a draft is not in the help center, even for staff');
  t.match(await world.clients.agent.page(`/agent/help/articles/${draft}`), `${CANARY} draft article`, 'staff see it in the editor');
});

t.test('the ticket page\'s "Similar solved tickets" and "Create article from this ticket" carry nothing a reader may not see', async (t) => {
  const world = await buildWorld(t);
  const { db } = world;
  const { a, b, internal } = world.ids.ticket;
  const solved = (await db.selectFrom('statuses').select('id').where('category', '=', 'solved').orderBy('id').executeTakeFirstOrThrow()).id;
  // A (outside the restricted agent's group) and the internal ticket are solved and share words with B.
  await db.updateTable('tickets').set({ status_id: solved }).where('id', 'in', [a, internal]).execute();
  await db.updateTable('tickets').set({ subject: 'Bea printer jam internal subject' }).where('id', '=', b).execute();
  const agentPanel = await world.clients.agent.page(`/agent/tickets/${b}/similar`, HTMX_VARIANTS.partial);
  t.match(agentPanel, `href="/agent/tickets/${a}"`, 'an agent who sees A is offered it');
  const restricted = await world.clients.restrictedAgent.page(`/agent/tickets/${b}/similar`, HTMX_VARIANTS.partial);
  t.match(restricted, 'id="similar-tickets"', 'the restricted agent has the list');
  t.notMatch(restricted, `href="/agent/tickets/${a}"`, 'but not A, outside their group');
  t.notMatch(restricted, CANARY, 'nor anything carrying the canary');

  const prefill = await world.clients.agent.page(`/agent/tickets/${a}/new-article`);
  t.match(prefill, 'value="Ann printer jam"', 'the agent starts an article from A');
  t.notMatch(/<textarea[\s\S]*?<\/textarea>/.exec(prefill)?.[0] ?? '', CANARY, 'without A\'s internal note in its text');
  t.equal((await world.clients.restrictedAgent.get(`/agent/tickets/${a}/new-article`)).statusCode, 404, 'the restricted agent cannot start from A');
  const leaked: string[] = [];
  for (const actor of ['anonymous', ...CUSTOMERS] as const) {
    for (const id of [a, b, internal]) {
      for (const path of [`/agent/tickets/${id}/new-article`, `/agent/tickets/${id}/similar`]) {
        const response = await world.clients[actor].get(path, HTMX_VARIANTS.partial);
        // (htmx is sent to log in with a 200 and HX-Location: what counts is that neither the form nor the list comes back.)
        const served = response.body.includes('id="help-article-form"') || response.body.includes('id="similar-tickets"');
        if (leaks(response) || served) leaked.push(`${actor} ${path} (${response.statusCode})`);
      }
    }
  }
  for (const line of leaked) t.comment(line);
  t.equal(leaked.length, 0, 'no customer or visitor gets the form, the list or the canary');
});
