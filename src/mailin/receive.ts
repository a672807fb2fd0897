import type { User } from '../db/schema.js';
import { throttle } from '../auth/throttle.js';
import { HOUR } from '../lib/time.js';
import { findUserByEmail } from '../users/queries.js';
import { looksLikeReplyAddress, ownAddresses } from './addresses.js';
import { mailRefusal } from './answers.js';
import { loadSanitizer, messageBody } from './content.js';
import { addToTicket, newTicket, recordBounce, recordComplaintReport } from './deliver.js';
import { alreadyReceived, recordInbound } from './files.js';
import { isAutomatic, isBounce, reportType } from './loops.js';
import { matchTicket } from './match.js';
import { parseMail, type DeliveryMeta } from './parse.js';
import { isForwardSubject } from './reply.js';
import { isSpamSender } from './spam.js';
import { senderAsPerson } from './tickets.js';
import { mailTrustSettings, proofOf } from './trust.js';
import type { Delivery, MailInDeps, Outcome } from './types.js';

export { UnparseableMail, type DeliveryMeta } from './parse.js';
export type { MailInDeps, Outcome } from './types.js';

const MAX_BODY = 100_000;

/**
 * Every way mail comes in (the `mail receive` pipe, the SMTP receiver, the IMAP poller) ends here.
 * Throws UnparseableMail for bytes that are not a mail (the caller refuses it for good); any other
 * error is transient (the caller leaves the mail to be delivered again). The same Message-ID twice
 * is stored once.
 */
export async function receiveMessage(deps: MailInDeps, raw: Buffer, meta: DeliveryMeta = {}): Promise<Outcome> {
  const mail = await parseMail(raw, meta);
  if (await alreadyReceived(deps.db, mail.messageId)) return { status: 'duplicate' };
  try {
    return await route(deps, raw, mail);
  } catch (error) {
    // Two deliveries of one mail racing each other: the second finds the first's record at commit.
    if (/UNIQUE constraint failed: inbound_messages/i.test(String((error as Error).message))) return { status: 'duplicate' };
    throw error;
  }
}

async function route(deps: MailInDeps, raw: Buffer, mail: Awaited<ReturnType<typeof parseMail>>): Promise<Outcome> {
  const { db, config } = deps;
  const drop = async (why: 'spam' | 'own' | 'disabled' | 'receipt' | 'noSender'): Promise<Outcome> => {
    await recordInbound(db, mail, null, `dropped:${why}`);
    return { status: 'dropped', why };
  };
  // Reports (RFC 6522) and bounces are machines talking: recorded where they belong, never answered.
  const report = reportType(mail);
  if (report === 'feedback-report') return recordComplaintReport(deps, raw, mail);
  if (isBounce(mail)) return recordBounce(deps, raw, mail);
  if (report === 'disposition-notification') return drop('receipt');
  if (!mail.from) return drop('noSender');
  const from = mail.from;
  const own = await ownAddresses(db);
  // Our own mail coming back (a support address forwarding to another): storing it would loop.
  if (own.has(from.address) || looksLikeReplyAddress(from.address, config.mailDomain)) return drop('own');
  if (await isSpamSender(db, from.address)) return drop('spam');
  let sender: User | undefined = await findUserByEmail(db, from.address);
  if (sender?.state === 'disabled') return drop('disabled');
  const settings = await mailTrustSettings(db);
  // A flood from one address (a script, a loop we did not recognise) waits at the sender's MTA.
  await throttle(db, `mail:${from.address}`, { max: settings.perSenderHour, windowMs: HOUR }, 'mailin.tooMany');

  const automatic = isAutomatic(mail, config.mailDomain, sender !== undefined);
  const t = deps.mail.translator(sender?.locale ?? 'en');
  await loadSanitizer();
  const body = messageBody({ text: mail.text?.slice(0, MAX_BODY), html: mail.html }, t('mailin.noText'), { forward: isForwardSubject(mail.subject) });
  body.text = body.text.slice(0, MAX_BODY);
  if (body.quoted) body.quoted = body.quoted.slice(0, MAX_BODY);
  const others = [...mail.to, ...mail.cc].map((p) => ({ ...p, address: p.address.toLowerCase() })).filter((p) => p.address !== from.address && !own.has(p.address) && !looksLikeReplyAddress(p.address, config.mailDomain));
  const match = await matchTicket(db, config, mail, sender);
  const delivery: Delivery = { deps, raw, mail, body, automatic, settings, proof: proofOf(mail, match, settings), own, others, sender: sender! };
  sender ??= await senderAsPerson(db, from, settings.allowNew);
  if (!sender) {
    if (!automatic) await mailRefusal(db, deps.mail, mail, 'newCustomer', null, null);
    await recordInbound(db, mail, null, 'refused:newCustomer');
    return { status: 'refused', why: 'newCustomer', ticketId: null };
  }
  delivery.sender = sender;
  if (match) {
    const added = await addToTicket(delivery, match);
    if (added) return added;
  }
  return newTicket(delivery, null);
}
