import { connect } from 'node:net';
import { once } from 'node:events';
import t from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import { BYTES, cookieHeader, filesUnder, multipart, waitFor } from './helpers.js';

t.test('an upload aborted mid-way over real HTTP leaves no file and no row behind', async (t) => {
  const { app, db, config } = await buildTestDesk(t);
  const user = await makeUser(db, 'customer');
  const client = new Client(app);
  await client.login(user.email, PASSWORD);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };

  // One complete small file first (stored), then a large one that never finishes.
  const { body, contentType } = multipart([
    { name: '_csrf', value: client.csrf },
    { name: 'files', filename: 'done.png', content: BYTES.png },
    { name: 'files', filename: 'big.pdf', content: Buffer.concat([BYTES.pdf, Buffer.alloc(4 * 1024 * 1024, 0x41)]) },
  ]);
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write([
    'POST /attachments HTTP/1.1', `Host: 127.0.0.1:${port}`, `Content-Type: ${contentType}`,
    `Content-Length: ${body.length}`, `Cookie: ${cookieHeader(client)}`, '', '',
  ].join('\r\n'));
  socket.write(body.subarray(0, 1024 * 1024));

  t.ok(await waitFor(() => filesUnder(config.uploadsDir).some((p) => p.endsWith('.part'))), 'the big file is being written');
  t.ok(await waitFor(() => filesUnder(config.uploadsDir).length >= 2), 'and the first one was already stored');
  socket.destroy();

  t.ok(await waitFor(() => filesUnder(config.uploadsDir).length === 0), 'every file of the request is gone, finished or not');
  t.same(filesUnder(config.uploadsDir), []);
  t.equal((await db.selectFrom('attachments').select('id').execute()).length, 0, 'no rows');
});
