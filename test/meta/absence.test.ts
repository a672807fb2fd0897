import { readFileSync, globSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { uncheckedAbsences } from './absence-check.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** The findings for one snippet, as line numbers. */
const lines = (source: string) => uncheckedAbsences('snippet.ts', source).map((f) => f.line);

t.test('the check flags absence claims on a body whose status nobody looked at', async (t) => {
  t.same(lines(`
    const page = await client.get('/x');
    t.notMatch(page.body, 'secret');`), [3], 'a named response, no status check');
  t.same(lines(`
    t.notMatch((await client.get('/x')).body, 'secret');`), [2], 'fetched inside the assertion');
  t.same(lines(`
    const html = (await client.get('/x')).body;
    t.match(html, 'Welcome');
    t.notMatch(html, 'secret');`), [4], 'a variable holding an inline body (a positive match is not a status check)');
  t.same(lines(`
    const res = await client.get('/x');
    t.notOk(res.body.includes('secret'));
    t.equal(res.body.includes('secret'), false);
    t.notOk(/secret/.test(res.body));`), [3, 4, 5], 'notOk(includes), equal(includes, false), notOk(re.test)');
  t.same(lines(`
    let page = await client.get('/a');
    t.equal(page.statusCode, 200);
    page = await client.get('/b');
    t.notMatch(page.body, 'secret');`), [5], 'a check of an earlier response under the same name does not count');
  t.same(lines(`
    const { body } = await client.get('/x');
    t.notMatch(body, 'secret');`), [3], 'a destructured body without its status');
  t.same(lines(`
    const tab = async (name) => (await client.get('/t?tab=' + name)).body;
    const general = await tab('general');
    t.notMatch(general, 'NOTE');`), [4], 'a local helper that returns an unchecked body');
  t.same(lines(`
    const res = await fetch(url);
    t.notMatch(await res.text(), 'secret');`), [3], 'a fetch() response read as text');
});

t.test('the check accepts a status look between the fetch and the claim, and leaves non-responses alone', async (t) => {
  t.same(lines(`
    const page = await client.get('/x');
    t.equal(page.statusCode, 200);
    t.notMatch(page.body, 'secret');
    const form = await client.post('/y', {});
    t.match(form, { statusCode: 422 });
    t.notMatch(form.body, 'value="short"');
    const { statusCode, body } = await client.get('/z');
    t.equal(statusCode, 404);
    t.notMatch(body, 'secret');
    const res = await fetch(url);
    t.equal(res.status, 200);
    t.notMatch(await res.text(), 'secret');`), [], 'equal on statusCode, match on { statusCode }, a destructured code, fetch status');
  t.same(lines(`
    for (const url of urls) {
      const page = await client.get(url);
      t.ok([200, 404].includes(page.statusCode));
      t.notMatch(page.body, 'secret');
    }`), [], 'inside a loop');
  t.same(lines(`
    async function list(t, client, q) {
      const res = await client.get('/list?' + q);
      t.equal(res.statusCode, 200);
      return { ids: [], body: res.body };
    }
    const mine = await list(t, client, '');
    t.notMatch(mine.body, 'secret');
    const { body } = await list(t, client, 'tab=2');
    t.notMatch(body, 'secret');`), [], 'a local helper that checks the status itself');
  t.same(lines(`
    t.notMatch(await client.page('/x'), 'secret');
    t.notMatch(entry.details, 'password');
    t.notMatch(mail.text, 'CANARY');
    t.notMatch(stream.text(), 'CANARY');
    t.notOk(existsSync(file));`), [], 'Client.page() throws on a wrong status; audit rows, mails and streams are not pages');
});

t.test('no test in the suite claims absence from a page without checking its status', async (t) => {
  const files = globSync('test/**/*.ts', { cwd: ROOT }).filter((f) => !f.startsWith('test/meta/')).sort();
  t.ok(files.length > 100, `${files.length} files read`);
  const found = files.flatMap((file) => uncheckedAbsences(file, readFileSync(join(ROOT, file), 'utf8')).map((f) => `${file}:${f.line}: ${f.reason}: ${f.text}`));
  for (const line of found) t.comment(line);
  t.same(found, [], 'every "not on the page" claim checks the status code first (or reads the page with Client.page())');
});
