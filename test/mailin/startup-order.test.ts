// Issue 25.5: the built-in SMTP receiver listens before /healthz answers 200, so a load balancer or
// an MTA that waits for the health check never finds the mail port closed.
import { connect } from 'node:net';
import t from 'tap';
import { tempDir } from '../helpers/app.js';
import { serverDesk } from '../reliability/desk.js';
import { freePort } from './helpers.js';

t.test('the SMTP receiver is up before the server answers /healthz', async (t) => {
  const smtpPort = await freePort();
  const desk = await serverDesk(tempDir(t), { SMTP_LISTEN: `127.0.0.1:${smtpPort}`, MAIL_DOMAIN: 'desk.test', LOG_LEVEL: 'info' });
  await desk.start();
  t.teardown(() => desk.stop());
  // At the first 200 of /healthz (start() returns then), the mail port greets at once.
  const banner = await new Promise<string>((resolve, reject) => {
    const socket = connect(smtpPort, '127.0.0.1');
    socket.setEncoding('utf8').once('data', (line: string) => { socket.destroy(); resolve(line); }).once('error', reject);
  });
  t.match(banner, /^220 /, 'the receiver greets');
  const lines = desk.log().split('\n');
  const smtp = lines.findIndex((l) => l.includes('SMTP receiver listening'));
  const http = lines.findIndex((l) => l.includes('Server listening at'));
  t.ok(smtp >= 0 && http >= 0, 'both say so in the log');
  t.ok(smtp < http, 'the mail port first, then the web port');
});
