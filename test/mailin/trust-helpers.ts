import type { Test } from 'tap';
import type { Db } from '../../src/db/connect.js';
import { startSmtpReceiver } from '../../src/mailin/smtp.js';
import type { TestDesk } from '../helpers/app.js';
import { depsOf, pipeToCli, sendRaw } from './helpers.js';

/** The trusted MTA of these tests: it writes `Authentication-Results: mx.desk.test; …`. */
export const MTA = 'mx.desk.test';

export interface Forged {
  from: string;
  to?: string;
  cc?: string[];
  subject: string;
  body: string;
  /** Authentication-Results the trusted MTA wrote, above its Received line (rspamd) or right below it (OpenDMARC). */
  verdict?: { value: string; where: 'above' | 'below' };
  /** Headers the sender wrote themselves (anyone can add an Authentication-Results line). */
  extra?: string;
}

let counter = 0;

/** A mail as our MTA hands it on: its Received line on top, then whatever the sender wrote. */
export function forged(m: Forged): Buffer {
  counter++;
  const ar = m.verdict ? `Authentication-Results: ${m.verdict.value}\r\n` : '';
  const received = `Received: from smtp.sender.test (smtp.sender.test [192.0.2.7])\r\n\tby ${MTA} (Postfix) with ESMTPS id 4Q${counter}; Tue, 3 Mar 2026 10:0${counter % 10}:00 +0000\r\n`;
  const head = [
    m.verdict?.where === 'above' ? ar : '', received, m.verdict?.where === 'below' ? ar : '',
    m.extra ?? '',
    `From: ${m.from}\r\n`, `To: ${m.to ?? 'support@desk.test'}\r\n`, m.cc?.length ? `Cc: ${m.cc.join(',\r\n ')}\r\n` : '',
    `Subject: ${m.subject}\r\n`, `Message-ID: <trust-${counter}-${Date.now()}@sender.test>\r\n`,
    'Date: Tue, 3 Mar 2026 10:00:00 +0000\r\n', 'Content-Type: text/plain; charset=utf-8\r\n',
  ].join('');
  return Buffer.from(`${head}\r\n${m.body}\r\n`);
}

export const dmarcPass = (domain: string, where: 'above' | 'below' = 'below') => ({ value: `${MTA}; dmarc=pass (p=reject dis=none) header.from=${domain}`, where });

export type Channel = 'smtp' | 'pipe';
export const CHANNELS: Channel[] = ['smtp', 'pipe'];

/**
 * `npm run test:fast` (DESKBELL_TEST_FAST=1) tells each story over SMTP only: through the pipe every
 * mail starts a `deskbell mail receive` process. `npm test` and test:node-lines tell both.
 */
export const FAST = process.env.DESKBELL_TEST_FAST === '1';
export const overChannel = (channel: Channel) => ({ skip: FAST && channel === 'pipe' ? 'test:fast: the pipe starts a process per mail (npm test runs it)' : false });

/** Hand a mail to the desk the way an MTA would: over SMTP to the built-in receiver, or to `deskbell mail receive`. */
export async function deliverer(t: Test, desk: TestDesk, channel: Channel): Promise<(raw: Buffer) => Promise<void>> {
  if (channel === 'pipe') {
    return async (raw) => {
      const result = await pipeToCli(desk.dir, raw);
      if (result.code !== 0) throw new Error(`mail receive exited ${result.code}: ${result.err}`);
    };
  }
  const receiver = await startSmtpReceiver(depsOf(desk), '127.0.0.1:0', { info() {}, warn() {}, error() {} });
  t.teardown(() => receiver.close());
  return async (raw) => { await sendRaw(receiver.port, raw, { from: 'bounces@sender.test', to: ['support@desk.test'] }); };
}

export async function trustMta(db: Db, options: { staff?: boolean } = {}): Promise<void> {
  await db.insertInto('settings').values([{ key: 'mailin.trusted_authserv_ids', value: MTA }, { key: 'mailin.verified_staff', value: options.staff ? '1' : '0' }])
    .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value') }))).execute();
}

export async function ccsOf(db: Db, ticketId: number): Promise<string[]> {
  const rows = await db.selectFrom('ticket_ccs').innerJoin('users', 'users.id', 'ticket_ccs.user_id').select('users.email')
    .where('ticket_ccs.ticket_id', '=', ticketId).orderBy('users.email').execute();
  return rows.map((r) => r.email);
}

export async function outboxSize(db: Db): Promise<number> {
  return (await db.selectFrom('jobs').select('id').where('kind', '=', 'mail').execute()).length;
}
