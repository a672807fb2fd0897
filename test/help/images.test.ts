// Images in help center articles (issue 23, point 1): staff add one with the editor's file field
// (no JavaScript needed); it is stored like any upload (sniffed, the desk's allow-list and size
// limit), the text gets a Markdown reference, and readers get the image when they may read the article.
import t, { type Test } from 'tap';
import { putSetting } from '../../src/settings/settings.js';
import { BYTES, postMultipart, type Part } from '../attachments/helpers.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const { db, app } = desk;
  const login = async (role: 'supervisor' | 'agent' | 'customer') => {
    const client = new Client(app);
    await client.login((await makeUser(db, role)).email, PASSWORD);
    return client;
  };
  const editor = await login('supervisor');
  const cora = await login('customer');
  await editor.page('/agent/help/categories');
  await editor.post('/agent/help/categories', { name_en: 'Routers' });
  const category = await db.selectFrom('help_categories').select('id').executeTakeFirstOrThrow();
  await editor.post('/agent/help/sections', { categoryId: String(category.id), name_en: 'Lights' });
  const section = await db.selectFrom('help_sections').select('id').executeTakeFirstOrThrow();

  /** The editor's form as the browser sends it: the token first, the fields, then the file. */
  const send = async (url: string, fields: Record<string, string>, file?: { filename: string; content: Buffer; type?: string }) => {
    await editor.page(url === '/agent/help/articles' ? '/agent/help/articles/new' : url);
    const parts: Part[] = [{ name: '_csrf', value: editor.csrf }, ...Object.entries({ sectionId: String(section.id), visibility: 'public', locale: 'en', ...fields }).map(([name, value]) => ({ name, value }))];
    parts.push(file ? { name: 'image', ...file } : { name: 'image', filename: '', content: Buffer.alloc(0) });
    return postMultipart(app, editor, url, parts);
  };
  const write = async (fields: Record<string, string>, file?: { filename: string; content: Buffer; type?: string }) => {
    const response = await send('/agent/help/articles', fields, file);
    t.equal(response.statusCode, 303, `the editor saves "${fields.title}"`);
    return Number(/\/agent\/help\/articles\/(\d+)/.exec(String(response.headers.location))![1]);
  };
  const publish = async (id: number) => {
    await editor.page(`/agent/help/articles/${id}`);
    t.equal((await editor.post(`/agent/help/articles/${id}/publication`, { state: 'published' })).statusCode, 303);
  };
  const imageOf = async (articleId: number) => (await db.selectFrom('help_article_images').select('id').where('article_id', '=', articleId).executeTakeFirstOrThrow()).id;
  return { ...desk, editor, cora, login, send, write, publish, imageOf };
}

t.test('an image uploaded in the editor is referenced in the text and shown on the public article', async (t) => {
  const { editor, cora, db, write, publish, imageOf, send } = await setup(t);
  const id = await write({ title: 'What the lights mean', body: 'Green is fine.' }, { filename: 'router-lights.png', content: BYTES.png, type: 'image/png' });
  const image = await imageOf(id);
  const text = await db.selectFrom('help_article_texts').select('body').where('article_id', '=', id).executeTakeFirstOrThrow();
  t.equal(text.body, `Green is fine.\n\n![router-lights](/help/images/${image})`, 'the Markdown gets a reference to the image at its end');
  t.equal((await db.selectFrom('attachments').select('id').execute()).length, 0, 'the upload is no longer a pending one: it belongs to the article');
  const editorPage = await editor.page(`/agent/help/articles/${id}`);
  t.match(editorPage, `<img src="/help/images/${image}" alt="router-lights"`, "the editor's preview shows the draft's image");
  t.match(editorPage, 'enctype="multipart/form-data"', 'the form sends files without JavaScript');
  t.equal((await editor.get(`/help/images/${image}`)).statusCode, 200, "the editor's preview loads it while it is a draft");
  t.equal((await cora.get(`/help/images/${image}`)).statusCode, 404, "a customer does not get a draft's image");

  await publish(id);
  const page = await cora.page(`/help/articles/${id}`);
  const src = /<img src="([^"]+)" alt="router-lights"/.exec(page)?.[1];
  t.equal(src, `/help/images/${image}`, 'the public article shows the image');
  const served = await cora.get(src!);
  t.equal(served.statusCode, 200, 'and its address answers');
  t.equal(served.headers['content-type'], 'image/png', 'with the type sniffed from its bytes');
  t.same(served.rawPayload, BYTES.png, 'the very bytes uploaded');
  t.equal(served.headers['x-content-type-options'], 'nosniff');

  await putSetting(db, 'help.public', '1');
  t.equal((await new Client(cora.app).get(src!)).statusCode, 200, 'a visitor gets it once visitors may read the help center');

  const again = await send(`/agent/help/articles/${id}`, { title: 'What the lights mean', body: `Green is fine.\n\n![router-lights](/help/images/${image})` }, { filename: 'red.jpg', content: BYTES.jpg, type: 'image/jpeg' });
  t.equal(again.statusCode, 303, 'saving the article with another image');
  const second = (await db.selectFrom('help_article_images').select('id').where('article_id', '=', id).orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
  t.match(await cora.page(`/help/articles/${id}`), `<img src="/help/images/${second}" alt="red"`, 'adds its reference too');
});

t.test("an internal article's image is for staff only", async (t) => {
  const { cora, db, write, publish, imageOf, login } = await setup(t);
  await putSetting(db, 'help.public', '1');
  const id = await write({ title: 'Vendor hotline', body: 'Call them.', visibility: 'internal' }, { filename: 'hotline.png', content: BYTES.png });
  await publish(id);
  const image = await imageOf(id);
  t.equal((await cora.get(`/help/images/${image}`)).statusCode, 404, 'a customer gets no image of an internal article');
  t.equal((await new Client(cora.app).get(`/help/images/${image}`)).statusCode, 404, 'nor does a visitor');
  const agent = await login('agent');
  t.equal((await agent.get(`/help/images/${image}`)).statusCode, 200, 'an agent does');
  t.equal((await cora.get('/help/images/99999')).statusCode, 404, 'an image that does not exist is not found');
});

t.test('a file of another type, or too large, is refused with a clear message; the text is kept and nothing saved', async (t) => {
  const { send, db } = await setup(t);
  const pdf = await send('/agent/help/articles', { title: 'Manual', body: 'See the attached manual.' }, { filename: 'manual.pdf', content: BYTES.pdf, type: 'application/pdf' });
  t.equal(pdf.statusCode, 422, 'a PDF is no image (though tickets may carry PDFs)');
  t.match(pdf.body, 'manual.pdf: only JPG and PNG files are accepted.', 'the reason is said, with the types that are');
  t.match(pdf.body, 'The image was not accepted, so nothing was saved.');
  t.match(pdf.body, 'See the attached manual.', 'the text stays as typed');
  t.match(pdf.body, 'value="Manual"', 'and the title');
  t.equal((await db.selectFrom('help_articles').select('id').execute()).length, 0, 'no article was made');

  const html = await send('/agent/help/articles', { title: 'Disguised', body: 'x' }, { filename: 'picture.png', content: BYTES.html, type: 'image/png' });
  t.equal(html.statusCode, 422, 'a page named .png is refused by its bytes');

  await putSetting(db, 'attachments.max_total_bytes', '40');
  const big = await send('/agent/help/articles', { title: 'Big picture', body: 'Large.' }, { filename: 'big.png', content: BYTES.png, type: 'image/png' });
  t.equal(big.statusCode, 422, 'an image over the desk\'s size limit is refused');
  t.match(big.body, 'big.png', 'naming the file');
  t.equal((await db.selectFrom('help_articles').select('id').execute()).length, 0, 'still no article');
  t.equal((await db.selectFrom('attachments').select('id').execute()).length, 0, 'and no upload left behind');
  t.equal((await db.selectFrom('help_article_images').select('id').execute()).length, 0);
});
