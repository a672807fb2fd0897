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
    '/help/suggestions?subject=internal%20draft%20jam%20steps', `/help/articles/${a}?from=ticket`];
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
  t.match(await world.clients.agent.page(`/help/articles/${b}`), `${CANARY} internal article`, 'staff read the internal article');
  t.match(await world.clients.agent.page('/help/search?q=steps'), `${CANARY} internal article`, 'and find it');
  t.equal((await world.clients.agent.get(`/help/articles/${draft}`)).statusCode, 404, 'a draft is not in the help center, even for staff');
  t.match(await world.clients.agent.page(`/agent/help/articles/${draft}`), `${CANARY} draft article`, 'staff see it in the editor');
});
