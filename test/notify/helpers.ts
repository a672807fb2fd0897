import { simpleParser, type ParsedMail } from 'mailparser';
import type { Test } from 'tap';
import { buildTestDesk, type TestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeCcs, makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';
import { header, TestSmtpServer, type ReceivedMail } from '../helpers/smtp.js';

export const MAIL_DOMAIN = 'mail.desk.test';

export interface Arrived extends ReceivedMail {
  parsed: ParsedMail;
  header: (name: string) => string | undefined;
}

/**
 * A desk sending to a real SMTP server on loopback, with an agent (Kim), a requester (Cora) and a
 * CC'd customer (Dan) on one public ticket of the Support group.
 */
export async function notifyDesk(t: Test) {
  const smtp = new TestSmtpServer();
  await smtp.start(0);
  t.teardown(() => smtp.stop());
  const desk: TestDesk = await buildTestDesk(t, { smtpUrl: `smtp://127.0.0.1:${smtp.port}`, mailDomain: MAIL_DOMAIN });
  const agent = await makeUser(desk.db, 'agent', { name: 'Kim Agent', email: 'kim@desk.test' });
  const cora = await makeUser(desk.db, 'customer', { name: 'Cora Customer', email: 'cora@example.test' });
  const dan = await makeUser(desk.db, 'customer', { name: 'Dan Colleague', email: 'dan@example.test' });
  const [id] = await makeTickets(desk.db, 1, { requesterId: cora.id, subject: 'Printer offline', groupId: 1 });
  await makeCcs(desk.db, id!, dan.id);
  const staff = new Client(desk.app);
  await staff.login(agent.email, PASSWORD);
  const portal = new Client(desk.app);
  await portal.login(cora.email, PASSWORD);

  /** Run the worker, and take what reached the SMTP server since the last call. */
  const delivered = async (): Promise<Arrived[]> => {
    await desk.app.worker.drain();
    const mails = smtp.received.splice(0);
    return Promise.all(mails.map(async (mail) => ({ ...mail, parsed: await simpleParser(mail.raw), header: (name: string) => header(mail.raw, name) })));
  };
  const to = (mails: Arrived[], address: string) => mails.filter((m) => m.to.includes(address));
  return { ...desk, smtp, agent, cora, dan, id: id!, staff, portal, delivered, to };
}
