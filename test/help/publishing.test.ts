// Who publishes (issue 23): agents write and change drafts; supervisors and admins publish them, take
// them back, and alone change, restore or delete what readers already see.
import t from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

t.test('an agent writes a draft but cannot publish it; a supervisor publishes; then only supervisors and admins change it', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const login = async (role: 'agent' | 'supervisor' | 'admin' | 'customer') => {
    const client = new Client(app);
    await client.login((await makeUser(db, role)).email, PASSWORD);
    return client;
  };
  const [agent, supervisor, admin, customer] = [await login('agent'), await login('supervisor'), await login('admin'), await login('customer')];
  await agent.page('/agent/help/categories');
  await agent.post('/agent/help/categories', { name_en: 'Printing' });
  const category = await db.selectFrom('help_categories').select('id').executeTakeFirstOrThrow();
  await agent.post('/agent/help/sections', { categoryId: String(category.id), name_en: 'Jams' });
  const section = String((await db.selectFrom('help_sections').select('id').executeTakeFirstOrThrow()).id);

  await agent.page('/agent/help/articles/new');
  const created = await agent.post('/agent/help/articles', { sectionId: section, visibility: 'public', locale: 'en', title: 'Clear a jam', body: 'Open the tray.' });
  t.equal(created.statusCode, 303, 'the agent writes a draft');
  const id = Number(/\/agent\/help\/articles\/(\d+)/.exec(String(created.headers.location))![1]);
  const state = async () => (await db.selectFrom('help_articles').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state;
  const body = async () => (await db.selectFrom('help_article_texts').select('body').where('article_id', '=', id).executeTakeFirstOrThrow()).body;

  const draftPage = await agent.page(`/agent/help/articles/${id}`);
  t.notMatch(draftPage, '/publication"', 'the agent\'s editor has no Publish button');
  t.match(draftPage, 'A supervisor or an administrator publishes this article when it is ready.');
  t.equal((await agent.post(`/agent/help/articles/${id}/publication`, { state: 'published' })).statusCode, 403, 'publishing anyway is refused');
  t.equal(await state(), 'draft', 'the article is still a draft');
  t.equal((await customer.get(`/help/articles/${id}`)).statusCode, 404, 'and no customer reads it');
  const edited = await agent.post(`/agent/help/articles/${id}`, { sectionId: section, visibility: 'public', locale: 'en', title: 'Clear a jam', body: 'Open the tray, then pull.' });
  t.equal(edited.statusCode, 303, 'the agent goes on changing the draft');

  t.match(await supervisor.page(`/agent/help/articles/${id}`), '/publication"', 'the supervisor\'s editor has the Publish button');
  t.equal((await supervisor.post(`/agent/help/articles/${id}/publication`, { state: 'published' })).statusCode, 303, 'the supervisor publishes');
  t.equal(await state(), 'published');
  t.match(await customer.page(`/help/articles/${id}`), 'Open the tray, then pull.', 'customers read it');

  const locked = await agent.page(`/agent/help/articles/${id}`);
  t.match(locked, 'This article is published: only supervisors and administrators change it', 'the agent is told the article is locked');
  t.match(locked, 'class="primary" disabled>Save</button>', 'the Save button is disabled');
  t.notMatch(locked, 'Delete article', 'nor Delete');
  const refused = await agent.post(`/agent/help/articles/${id}`, { sectionId: section, visibility: 'public', locale: 'en', title: 'Clear a jam', body: 'Something else.' });
  t.equal(refused.statusCode, 403, 'the agent cannot change the published article');
  t.equal(await body(), 'Open the tray, then pull.', 'its text is unchanged');
  const revision = await db.selectFrom('help_revisions').select('id').where('article_id', '=', id).orderBy('id').executeTakeFirstOrThrow();
  t.equal((await agent.post(`/agent/help/revisions/${revision.id}/restore`)).statusCode, 403, 'nor restore an older revision of it');
  t.equal(await body(), 'Open the tray, then pull.');
  t.equal((await agent.post(`/agent/help/articles/${id}/delete`)).statusCode, 403, 'nor delete it');
  t.equal((await agent.post(`/agent/help/articles/${id}/publication`, { state: 'draft' })).statusCode, 403, 'nor take it back to draft');
  t.equal(await state(), 'published', 'it stays published');

  t.equal((await admin.post(`/agent/help/articles/${id}`, { sectionId: section, visibility: 'public', locale: 'en', title: 'Clear a jam', body: 'Open the tray and pull gently.' })).statusCode, 303,
    'an admin changes the published article');
  t.match(await customer.page(`/help/articles/${id}`), 'Open the tray and pull gently.');
  t.equal((await admin.post(`/agent/help/articles/${id}/publication`, { state: 'draft' })).statusCode, 303, 'and takes it back to draft');
  t.equal((await agent.post(`/agent/help/articles/${id}`, { sectionId: section, visibility: 'public', locale: 'en', title: 'Clear a jam', body: 'Draft again.' })).statusCode, 303,
    'a draft again, the agent may change it');
  t.equal((await agent.post(`/agent/help/articles/${id}/delete`)).statusCode, 303, 'and delete it');
  t.equal((await db.selectFrom('help_articles').select('id').execute()).length, 0);
});
