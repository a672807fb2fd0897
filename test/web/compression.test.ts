// Pages, styles and scripts go compressed to browsers that ask, and the versioned public files may
// be cached for a year (issue 19, craft).
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import t from 'tap';
import { ASSET_VERSION } from '../../src/plugins/static-files.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTicket, makeUser, PASSWORD } from '../helpers/factories.js';

t.test('the ticket list is sent compressed (brotli or gzip, as asked) and reads the same', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const client = new Client(app);
  await client.login((await makeUser(db, 'agent')).email, PASSWORD);
  const requester = await makeUser(db, 'customer');
  for (let i = 0; i < 50; i++) await makeTicket(db, { requesterId: requester.id, subject: `Printer ${i} prints blank pages on the third floor` });

  const plain = await client.get('/agent/tickets?view=all');
  t.equal(plain.statusCode, 200);
  t.equal(plain.headers['content-encoding'], undefined, 'not compressed when the browser does not ask');
  t.match(plain.body, 'Printer 49 prints blank pages');

  const gzip = await client.get('/agent/tickets?view=all', { 'accept-encoding': 'gzip' });
  t.equal(gzip.statusCode, 200);
  t.equal(gzip.headers['content-encoding'], 'gzip');
  t.match(String(gzip.headers.vary), /accept-encoding/i, 'caches keep the versions apart');
  const unzipped = gunzipSync(gzip.rawPayload).toString('utf8');
  t.match(unzipped, 'Printer 49 prints blank pages');
  t.ok(gzip.rawPayload.length * 5 < Buffer.byteLength(unzipped), `gzip shrinks the list at least 5x (${Buffer.byteLength(unzipped)} -> ${gzip.rawPayload.length} bytes)`);

  const br = await client.get('/agent/tickets?view=all', { 'accept-encoding': 'br, gzip' });
  t.equal(br.headers['content-encoding'], 'br', 'brotli preferred');
  t.match(brotliDecompressSync(br.rawPayload).toString('utf8'), 'Printer 49 prints blank pages');
});

t.test('versioned public files are immutable for a year; the plain addresses keep an hour', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const client = new Client(app);
  await client.login((await makeUser(db, 'agent')).email, PASSWORD);
  const page = await client.get('/agent/tickets?view=all');
  const css = /href="(\/public\/[^"]+\/css\/app\.css)"/.exec(page.body)?.[1];
  t.equal(css, `/public/${ASSET_VERSION}/css/app.css`, 'the page links the versioned stylesheet');

  const versioned = await app.inject({ url: css!, headers: { 'accept-encoding': 'gzip' } });
  t.equal(versioned.statusCode, 200);
  t.match(String(versioned.headers['cache-control']), /max-age=31536000.*immutable/);
  t.equal(versioned.headers['content-encoding'], 'gzip', 'styles are compressed too');

  const script = await app.inject({ url: `/public/${ASSET_VERSION}/vendor/htmx.min.js` });
  t.equal(script.statusCode, 200);
  t.match(String(script.headers['content-type']), /javascript/);

  const plain = await app.inject({ url: '/public/css/app.css' });
  t.equal(plain.statusCode, 200);
  t.match(String(plain.headers['cache-control']), /max-age=3600/);
  t.notMatch(String(plain.headers['cache-control']), /immutable/);

  const stale = await app.inject({ url: '/public/v-000000000000/css/app.css' });
  t.equal(stale.statusCode, 404, 'a version that is not this release is not served as if it were');
});
