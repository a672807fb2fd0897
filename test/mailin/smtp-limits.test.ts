import { connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import t, { type Test } from 'tap';
import { startSmtpReceiver, type SmtpLimits } from '../../src/mailin/smtp.js';
import { deskWithTicket, depsOf } from './helpers.js';

// Issue 15, point 5: the receiver stops keeping a mail at its size limit, and caps its sessions.

const quiet = { info() {}, warn() {}, error() {} };
const MB = 1024 * 1024;

// What the process still holds, garbage collected first (chunks already handled are not counted).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const held = () => { gc(); gc(); return process.memoryUsage().arrayBuffers; };

async function receiver(t: Test, limits: SmtpLimits) {
  const desk = await deskWithTicket(t);
  const smtp = await startSmtpReceiver(depsOf(desk), '127.0.0.1:0', quiet, undefined, limits);
  t.teardown(() => smtp.close());
  return smtp;
}

/** A plain SMTP client on a socket: each `reply()` waits for the server's next complete answer. */
function session(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  let buffer = '';
  const waiting: ((line: string) => void)[] = [];
  const answers: string[] = [];
  const flush = () => {
    for (let end = buffer.search(/^\d{3} .*\r\n/m); end !== -1; end = buffer.search(/^\d{3} .*\r\n/m)) {
      const close = buffer.indexOf('\r\n', end) + 2;
      answers.push(buffer.slice(0, close));
      buffer = buffer.slice(close);
    }
    while (answers.length > 0 && waiting.length > 0) waiting.shift()!(answers.shift()!);
  };
  socket.on('data', (chunk: Buffer) => { buffer += chunk.toString('latin1'); flush(); });
  socket.on('close', () => { while (waiting.length > 0) waiting.shift()!('closed'); });
  socket.on('error', () => {});
  const reply = () => new Promise<string>((resolve) => { waiting.push(resolve); flush(); });
  const say = async (line: string) => { socket.write(`${line}\r\n`); return reply(); };
  return { socket, reply, say };
}

t.test('a mail past the size limit is answered 552 and was never kept in memory whole', async (t) => {
  const smtp = await receiver(t, { maxBytes: 1 * MB, maxClients: 50, maxPerAddress: 10 });
  const client = session(smtp.port);
  t.match(await client.reply(), /^220 /);
  t.match(await client.say('EHLO mta.test'), /250[ -]SIZE 1048576/m, 'the limit is announced');
  await client.say('MAIL FROM:<sender@customer.test>');
  await client.say('RCPT TO:<support@desk.test>');
  t.match(await client.say('DATA'), /^354/);
  const line = `${'x'.repeat(998)}\r\n`;
  const block = Buffer.from(`From: sender@customer.test\r\nTo: support@desk.test\r\nSubject: big\r\n\r\n${line.repeat(1024)}`);
  const baseline = held();
  // 64 MB, written as the socket drains, as a sending MTA would; halfway, what does the server hold?
  let midway = 0;
  for (let sent = 0; sent < 64; sent++) {
    if (!client.socket.write(block)) await new Promise((resolve) => client.socket.once('drain', resolve));
    if (sent === 32) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      midway = held() - baseline;
    }
  }
  client.socket.write('.\r\n');
  const answer = await client.reply();
  t.match(answer, /^552 /, 'refused as too large');
  t.ok(smtp.peakBuffered <= 1 * MB, `at most the limit was held for the mail (${smtp.peakBuffered} bytes)`);
  t.ok(midway < 8 * MB, `halfway through, the process held ${Math.round(midway / MB)} MB more than before (loosely: not the 32 MB sent)`);
  t.match(await client.say('QUIT'), /^221 /, 'the session goes on normally');
});

t.test('sessions are capped per client address and in all', async (t) => {
  const smtp = await receiver(t, { maxBytes: MB, maxClients: 4, maxPerAddress: 2 });
  const first = session(smtp.port);
  const second = session(smtp.port);
  t.match(await first.reply(), /^220 /);
  t.match(await second.reply(), /^220 /);
  const third = session(smtp.port);
  t.match(await third.reply(), /^421 .*Too many connections from your address/, 'a third session from one address is refused');
  first.socket.end();
  await new Promise((resolve) => first.socket.once('close', resolve));
  await new Promise((resolve) => setTimeout(resolve, 50));
  const again = session(smtp.port);
  t.match(await again.reply(), /^220 /, 'a closed session frees its place');
  for (const s of [second, third, again]) s.socket.destroy();
});

t.test('the total cap holds whatever the address', async (t) => {
  const smtp = await receiver(t, { maxBytes: MB, maxClients: 2, maxPerAddress: 10 });
  const open = [session(smtp.port), session(smtp.port)];
  for (const s of open) t.match(await s.reply(), /^220 /);
  const extra = session(smtp.port);
  t.match(await extra.reply(), /^421 /, 'past maxClients');
  for (const s of [...open, extra]) s.socket.destroy();
});
