import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Test } from 'tap';
import type { Db } from '../../src/db/connect.js';
import { receiveMessage, type MailInDeps } from '../../src/mailin/receive.js';
import { buildTestDesk, type TestDesk } from '../helpers/app.js';
import { spawnCli, type CliResult } from '../helpers/cli.js';
import { makeMessage, makeTicket, makeUser } from '../helpers/factories.js';

/** The fixtures' reply addresses carry tokens made with this key, for tickets at this domain. */
export const MAIL_ENV = { SECRET_KEY: 'mailin-test-secret', MAIL_DOMAIN: 'desk.test' };
export const STATUS = { new: 1, open: 2, pending: 3, solved: 4, closed: 5 };

export function fixture(name: string): Buffer {
  return readFileSync(join(import.meta.dirname, '..', 'fixtures', 'mail', name));
}

/**
 * A desk where Casey has ticket #1 "Printer on fire": the ticket the fixtures answer (their subjects
 * say [#1] and their reply addresses carry a token for ticket 1, made with MAIL_ENV's key).
 */
export async function deskWithTicket(t: Test, statusId = STATUS.open, overrides = {}) {
  const desk = await buildTestDesk(t, { secretKey: MAIL_ENV.SECRET_KEY, mailDomain: MAIL_ENV.MAIL_DOMAIN, ...overrides });
  const casey = await makeUser(desk.db, 'customer', { email: 'casey@customer.test', name: 'Casey Jones' });
  const ticketId = await makeTicket(desk.db, { requesterId: casey.id, subject: 'Printer on fire', statusId });
  if (ticketId !== FIXTURE_TICKET) throw new Error(`the fixtures answer ticket #${FIXTURE_TICKET}, but the desk's first ticket is #${ticketId}`);
  await makeMessage(desk.db, ticketId, { authorId: casey.id, kind: 'reply', text: 'My printer is on fire.', at: '2026-03-03T09:00:00.000Z' });
  return { ...desk, casey, ticketId };
}

/** The ticket number the mail fixtures (and the mails the tests write like them) answer. */
export const FIXTURE_TICKET = 1;

export const depsOf = (desk: TestDesk): MailInDeps => ({ db: desk.db, config: desk.config, mail: desk.app.mail });

export const receive = (desk: TestDesk, name: string) => receiveMessage(depsOf(desk), fixture(name));

export function messagesOf(db: Db, ticketId: number) {
  return db.selectFrom('messages').selectAll().where('ticket_id', '=', ticketId).orderBy('id').execute();
}

export async function filesOf(db: Db, messageId: number) {
  return db.selectFrom('attachments').select(['filename', 'content_type']).where('message_id', '=', messageId).orderBy('id').execute();
}

/**
 * Mail jobs queued to an address (the outbox), with their subjects. The notifications consumer runs
 * first (ticket mail is queued by it, after the write), but not the jobs: the queued mails stay.
 */
export async function mailsTo(desk: Pick<TestDesk, 'db' | 'app'>, address: string) {
  await desk.app.worker.consume();
  const jobs = await desk.db.selectFrom('jobs').select('payload').where('kind', '=', 'mail').execute();
  return jobs.map((j) => JSON.parse(j.payload) as { to: string[]; subject: string; text: string; headers?: Record<string, string> })
    .filter((m) => m.to.includes(address));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Send raw bytes over real SMTP, as an MTA relaying to the built-in receiver would. */
export async function sendRaw(port: number, raw: Buffer | string, envelope: { from: string; to: string[] }) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    return await transport.sendMail({ envelope, raw });
  } finally {
    transport.close();
  }
}

/** `node bin/deskbell.js mail receive` with the mail on its standard input, as an MTA pipe runs it. */
export function pipeToCli(dir: string, input: Buffer, env: Record<string, string> = {}): Promise<CliResult> {
  return spawnCli(dir, ['mail', 'receive'], { ...MAIL_ENV, ...env }, input);
}

export { makeUser };
