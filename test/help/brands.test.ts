// A help center per brand (issue 23): a brand with a host name of its own (Admin → Brands) has its
// own help center there; every other host reads the default brand's. Categories and articles belong
// to one brand or to all; search, suggestions and the sitemap follow, and another brand's article is
// not found.
import t, { type Test } from 'tap';
import { putSetting } from '../../src/settings/settings.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTicket, makeUser, PASSWORD } from '../helpers/factories.js';

const ACME = { host: 'help.acme.test' };

async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const { db, app } = desk;
  const login = async (role: 'admin' | 'supervisor' | 'agent' | 'customer') => {
    const client = new Client(app);
    await client.login((await makeUser(db, role)).email, PASSWORD);
    return client;
  };
  const admin = await login('admin');
  const editor = await login('supervisor');
  const cora = await login('customer');
  await admin.page('/admin/brands/new');
  const created = await admin.post('/admin/brands', {
    name: 'Acme', fromName: 'Acme Support', fromAddress: 'support@acme.test', portalTitle: 'Acme Support', colour: '', mailFooter: '', host: 'Help.Acme.Test',
  });
  t.equal(created.statusCode, 303, 'the admin creates the brand Acme with a help center host name');
  const acme = await db.selectFrom('brands').select(['id', 'host']).where('name', '=', 'Acme').executeTakeFirstOrThrow();
  t.equal(acme.host, 'help.acme.test', 'kept in lower case');
  const home = await db.selectFrom('brands').select('id').where('is_default', '=', 1).executeTakeFirstOrThrow();

  await editor.page('/agent/help/categories');
  const category = async (name: string, brandId: number | '') => {
    t.equal((await editor.post('/agent/help/categories', { name_en: name, brandId: String(brandId) })).statusCode, 303, `category "${name}"`);
    const id = (await db.selectFrom('help_categories').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
    t.equal((await editor.post('/agent/help/sections', { categoryId: String(id), name_en: `${name} basics` })).statusCode, 303);
    return { id, section: (await db.selectFrom('help_sections').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()).id };
  };
  const shared = await category('Accounts', '');
  const acmeOnly = await category('Acme routers', acme.id);
  const article = async (title: string, section: number, brandId: number | '') => {
    await editor.page('/agent/help/articles/new');
    const response = await editor.post('/agent/help/articles', { sectionId: String(section), brandId: String(brandId), visibility: 'public', locale: 'en', title, body: `${title}: the answer.` });
    t.equal(response.statusCode, 303, `article "${title}"`);
    const id = Number(/\/agent\/help\/articles\/(\d+)/.exec(String(response.headers.location))![1]);
    await editor.page(`/agent/help/articles/${id}`);
    t.equal((await editor.post(`/agent/help/articles/${id}/publication`, { state: 'published' })).statusCode, 303);
    return id;
  };
  const ids = {
    everyone: await article('Reset your password', shared.section, ''),
    acme: await article('Acme router reset', shared.section, acme.id),
    home: await article('Billing questions router', shared.section, home.id),
    acmeCategory: await article('Acme router lights', acmeOnly.section, ''),
  };
  return { ...desk, admin, editor, cora, acme, home, shared, acmeOnly, ids, login };
}

t.test("each brand's help center shows its own and the shared articles, with its name in the header; another brand's are not found", async (t) => {
  const { cora, ids, acmeOnly } = await setup(t);
  const homePage = await cora.page('/help');
  t.match(homePage, /<a class="brand" href="\/help">Help Desk<\/a>/, "the default brand's name heads its help center");
  t.match(homePage, 'Reset your password', 'the shared article');
  t.match(homePage, 'Billing questions router', "the default brand's own");
  t.notMatch(homePage, 'Acme router', "not Acme's articles");
  t.notMatch(homePage, 'Acme routers', "nor Acme's category");

  const acmePage = await cora.page('/help', ACME);
  t.match(acmePage, /<a class="brand" href="\/help">Acme Support<\/a>/, "Acme's help center is headed by Acme's portal title");
  t.match(acmePage, /<title>Help center · Acme Support<\/title>/);
  t.match(acmePage, 'Reset your password', 'the shared article shows there too');
  t.match(acmePage, 'Acme router reset', "Acme's article");
  t.match(acmePage, 'Acme routers', "Acme's category");
  t.notMatch(acmePage, 'Billing questions', "not the default brand's");

  t.equal((await cora.get(`/help/articles/${ids.acme}`)).statusCode, 404, "Acme's article is not found in the default help center");
  t.equal((await cora.get(`/help/articles/${ids.acmeCategory}`)).statusCode, 404, "nor one shared by all brands but in Acme's category");
  t.equal((await cora.get(`/help/categories/${acmeOnly.id}`)).statusCode, 404, "nor Acme's category");
  t.equal((await cora.get(`/help/sections/${acmeOnly.section}`)).statusCode, 404, 'nor its section');
  t.equal((await cora.get(`/help/articles/${ids.home}`, ACME)).statusCode, 404, "the default brand's article is not found at Acme's");
  t.equal((await cora.get(`/help/articles/${ids.acme}`, ACME)).statusCode, 200, "Acme's article is read at Acme's");
  t.equal((await cora.get(`/help/articles/${ids.acmeCategory}`, ACME)).statusCode, 200);
  t.equal((await cora.get(`/help/articles/${ids.everyone}`, ACME)).statusCode, 200, 'the shared one at both');
  t.equal((await cora.post(`/help/articles/${ids.acme}/vote`, { helpful: 'yes' })).statusCode, 404, "nobody votes on Acme's article from the default help center");
});

t.test('search, suggestions and the sitemap are per brand', async (t) => {
  const { cora, ids, db } = await setup(t);
  const search = await cora.page('/help/search?q=router');
  t.match(search, `/help/articles/${ids.home}-`, 'the default help center finds its own article');
  t.notMatch(search, `/help/articles/${ids.acme}-`, "not Acme's");
  const acmeSearch = await cora.page('/help/search?q=router', ACME);
  t.match(acmeSearch, `/help/articles/${ids.acme}-`, "Acme's finds Acme's");
  t.match(acmeSearch, `/help/articles/${ids.acmeCategory}-`);
  t.notMatch(acmeSearch, `/help/articles/${ids.home}-`, "not the default brand's");

  const suggested = await cora.page('/help/suggestions?subject=router+blinking', { 'hx-request': 'true', 'hx-request-type': 'partial' });
  t.match(suggested, 'Billing questions router', 'a customer writing a ticket on the default host gets its articles suggested');
  t.notMatch(suggested, 'Acme router', "not Acme's");
  const acmeSuggested = await cora.page('/help/suggestions?subject=router+blinking', { ...ACME, 'hx-request': 'true', 'hx-request-type': 'partial' });
  t.match(acmeSuggested, 'Acme router reset', "on Acme's host, Acme's");
  t.notMatch(acmeSuggested, 'Billing questions', 'and not the others');

  await putSetting(db, 'help.public', '1');
  const guest = new Client(cora.app);
  const sitemapResponse = await guest.get('/help/sitemap.xml');
  t.equal(sitemapResponse.statusCode, 200);
  const sitemap = sitemapResponse.body;
  t.match(sitemap, `/help/articles/${ids.everyone}-reset-your-password</loc>`, 'the default sitemap lists the shared article');
  t.match(sitemap, `/help/articles/${ids.home}-`, 'and its own');
  t.notMatch(sitemap, `/help/articles/${ids.acme}-`, "not Acme's");
  t.notMatch(sitemap, `/help/articles/${ids.acmeCategory}-`);
  const acmeSitemapResponse = await guest.get('/help/sitemap.xml', ACME);
  t.equal(acmeSitemapResponse.statusCode, 200);
  const acmeSitemap = acmeSitemapResponse.body;
  t.match(acmeSitemap, `//help.acme.test/help/articles/${ids.acme}-acme-router-reset</loc>`, "Acme's sitemap gives addresses on Acme's host");
  t.match(acmeSitemap, `//help.acme.test/help/articles/${ids.everyone}-`);
  t.notMatch(acmeSitemap, `/help/articles/${ids.home}-`, "not the default brand's article");
});

t.test("staff choose an article's and a category's brand; a wrong choice is refused with the values kept; a brand in use stays", async (t) => {
  const { editor, admin, acme, ids, shared, db } = await setup(t);
  const form = await editor.page(`/agent/help/articles/${ids.acme}`);
  t.match(form, new RegExp(`<option value="${acme.id}" selected>Acme</option>`), "the editor shows the article's brand");
  t.match(form, '<option value="">Every brand</option>');
  t.match(await editor.page('/agent/help'), new RegExp(`href="/agent/help/articles/${ids.acme}">Acme router reset</a>[\\s\\S]*?<span class="badge">Acme</span>`), "the article list marks Acme's article");
  t.match(await editor.page('/agent/help/categories'), /Acme routers<\/a> <span class="badge">Acme<\/span>/, "and the categories Acme's category");

  const refused = await editor.post(`/agent/help/articles/${ids.acme}`, { sectionId: String(shared.section), brandId: '9999', visibility: 'public', locale: 'en', title: 'Acme router reset, new', body: 'Kept text' });
  t.equal(refused.statusCode, 422, 'a brand that does not exist is refused');
  t.match(refused.body, 'Kept text', 'with the typed text kept');
  t.equal((await db.selectFrom('help_articles').select('brand_id').where('id', '=', ids.acme).executeTakeFirstOrThrow()).brand_id, acme.id, 'and nothing changed');

  t.equal((await editor.post(`/agent/help/articles/${ids.acme}`, { sectionId: String(shared.section), brandId: '', visibility: 'public', locale: 'en', title: 'Acme router reset', body: 'Acme router reset: the answer.' })).statusCode, 303);
  t.equal((await editor.get(`/help/articles/${ids.acme}`)).statusCode, 200, 'given to every brand, the article shows in the default help center too');

  await admin.page('/admin/brands/new');
  const taken = await admin.post('/admin/brands', { name: 'Beta', fromName: 'Beta', fromAddress: 'beta@beta.test', portalTitle: 'Beta', colour: '', mailFooter: '', host: 'help.acme.test' });
  t.equal(taken.statusCode, 422, 'a host name another brand answers on is refused');
  t.match(taken.body, 'Another brand already answers on this host name.');
  t.match(taken.body, 'value="beta@beta.test"', 'the form keeps what was typed');
  const bad = await admin.post('/admin/brands', { name: 'Beta', fromName: 'Beta', fromAddress: 'beta@beta.test', portalTitle: 'Beta', colour: '', mailFooter: '', host: 'https://beta.test/help' });
  t.equal(bad.statusCode, 422, 'an address with a scheme or path is no host name');

  const deleting = await admin.post(`/admin/brands/${acme.id}/delete`);
  t.equal(deleting.statusCode, 409, 'a brand whose help center has a category cannot be deleted');
  t.ok(await db.selectFrom('brands').select('id').where('id', '=', acme.id).executeTakeFirst(), 'it is still there');
});

t.test("on a ticket, Insert an article offers the ticket's brand's articles and links to its help center's host", async (t) => {
  const { db, ids, acme, home, login } = await setup(t);
  const agent = await login('agent');
  const requester = await makeUser(db, 'customer');
  const acmeTicket = await makeTicket(db, { requesterId: requester.id, subject: 'Router blinks red', brandId: acme.id });
  const homeTicket = await makeTicket(db, { requesterId: requester.id, subject: 'Router blinks red', brandId: home.id });
  const search = { tab: 'general', kind: 'reply', body: '', articleQ: 'router', articleAction: 'search' };
  await agent.page(`/agent/tickets/${acmeTicket}`);
  const acmeAnswer = await agent.post(`/agent/tickets/${acmeTicket}/article`, search);
  t.equal(acmeAnswer.statusCode, 200);
  const onAcme = acmeAnswer.body;
  t.match(onAcme, 'Acme router reset', "an Acme ticket is offered Acme's article");
  t.notMatch(onAcme, 'Billing questions router', "not the default brand's");
  const homeAnswer = await agent.post(`/agent/tickets/${homeTicket}/article`, search);
  t.equal(homeAnswer.statusCode, 200);
  const onHome = homeAnswer.body;
  t.match(onHome, 'Billing questions router', "a default-brand ticket its brand's");
  t.notMatch(onHome, 'Acme router reset');
  const link = await agent.post(`/agent/tickets/${acmeTicket}/article`, { tab: 'general', kind: 'reply', body: '', articleChoice: String(ids.acme), articleAction: 'link' });
  t.match(link.body, `//help.acme.test/help/articles/${ids.acme}-acme-router-reset)`, "the link leads to Acme's help center");
  const elsewhere = await agent.post(`/agent/tickets/${homeTicket}/article`, { tab: 'general', kind: 'reply', body: '', articleChoice: String(ids.acme), articleAction: 'link' });
  t.equal(elsewhere.statusCode, 422, "Acme's article cannot be put into a default-brand ticket's reply");
});
