import { addMessage } from '../kernel/index.js';
import { changeTicket } from '../kernel/index.js';
import type { Trx } from '../db/connect.js';
import { discardUploads, type StoredUpload } from '../attachments/uploads.js';
import { removeStoredFiles, type StoredFile } from '../attachments/store.js';
import { DomainError, Invalid, NotFound } from '../lib/errors.js';
import { postAgentMessage, type MessageOrigin } from '../messages/messages.js';
import { parseAgentMessage } from '../messages/schemas.js';
import { parseForm } from '../lib/form.js';
import { customerReplySchema } from '../tickets/schemas.js';
import { sideOf } from '../policy/can.js';
import { closedReplyPolicy, postCustomerReply, TicketClosed } from '../tickets/customer.js';
import { toActor } from '../users/actor.js';
import { destinationFor, type Destination } from './addresses.js';
import { mailRefusal } from './answers.js';
import { stripSubjectPrefixes, textToHtml, type MessageBody } from './content.js';
import { bindOriginal, recordInbound, storeMailFiles, storeOriginal, withRejections } from './files.js';
import { complainant, readBounce } from './loops.js';
import { recordComplaint } from '../mail/complaints.js';
import type { Match, MatchReason } from './match.js';
import type { InboundMail } from './parse.js';
import { openTicketFromMail } from './tickets.js';
import { powersOf } from './trust.js';
import type { Delivery, MailInDeps, Outcome } from './types.js';
import { addCcsFromMail, refuseStaffMail } from './untrusted.js';

interface Files {
  uploads: StoredUpload[];
  original: StoredFile<'eml'> | null;
  body: MessageBody;
}

/** Files first (outside the transaction: disk is slow); `discard` when the message is not stored after all. */
async function storeFilesOf(d: Delivery): Promise<Files> {
  const { db, config, mail } = d.deps;
  const t = mail.translator(d.sender.locale);
  const stored = await storeMailFiles(db, config.uploadsDir, d.sender.id, d.mail.attachments, t);
  const original = await storeOriginal(config.uploadsDir, d.raw);
  const text = withRejections(d.body.text, stored.rejected, t);
  const body = text === d.body.text ? d.body : { ...d.body, text, html: `${d.body.html}\n${textToHtml(text.slice(d.body.text.length).trim())}` };
  return { uploads: stored.uploads, original, body };
}

async function discard(d: Delivery, files: Files): Promise<void> {
  await discardUploads(d.deps.db, d.deps.config.uploadsDir, files.uploads);
  if (files.original) await removeStoredFiles(d.deps.config.uploadsDir, [files.original.storageKey]);
}

/**
 * Add the mail to the ticket it matched, as its sender would in the browser: staff write a public
 * reply (or a note, with `#note`), customers a reply that reopens a solved ticket, both only as far
 * as the mail's powers go (trust.ts). Returns null when the ticket cannot take it from this sender
 * (the caller opens a new ticket instead).
 */
export async function addToTicket(d: Delivery, match: Match): Promise<Outcome | null> {
  const { db } = d.deps;
  const powers = powersOf(d.proof, d.settings, false);
  if (sideOf(d.sender) === 'staff' && !powers.staff) return refuseStaffMail(d, match);
  const files = await storeFilesOf(d);
  const uploadIds = files.uploads.map((u) => u.id);
  const origin: MessageOrigin = {
    via: 'email', bodyHtml: files.body.html, emailMessageId: d.mail.messageId, matchReason: match.reason, quotedText: d.body.quoted,
    within: async (trx, messageId) => {
      await bindOriginal(trx, messageId, d.sender.id, files.original);
      await recordInbound(trx, d.mail, match.ticketId, 'stored');
      if (sideOf(d.sender) === 'customer') await addCcsFromMail(trx, d, match.ticketId, powers, match.reason);
    },
  };
  const stored: Outcome = { status: 'stored', ticketId: match.ticketId, reason: match.reason, created: false };
  try {
    if (d.automatic) {
      await recordAutomatic(d, match.ticketId, uploadIds, origin);
    } else if (sideOf(d.sender) === 'staff') {
      await postStaffMail(d, match.ticketId, files.body, uploadIds, origin);
    } else {
      await postCustomerReply(db, toActor(d.sender), match.ticketId, parseForm(customerReplySchema, { body: files.body.text }), uploadIds, origin);
    }
    return stored;
  } catch (error) {
    await discard(d, files);
    if (error instanceof TicketClosed) return closedTicket(d, match);
    if (error instanceof NotFound || error instanceof Invalid) return null;
    throw error;
  }
}

/** Staff answer by mail: a public reply, or an internal note when it starts with `#note` (or the ticket has no requester side). */
async function postStaffMail(d: Delivery, ticketId: number, body: MessageBody, uploadIds: number[], origin: MessageOrigin): Promise<void> {
  const note = /^#note\b[:\s]*/i.exec(body.text);
  const ticket = await d.deps.db.selectFrom('tickets').innerJoin('ticket_types', 'ticket_types.id', 'tickets.type_id')
    .select('ticket_types.customer_facing').where('tickets.id', '=', ticketId).executeTakeFirst();
  const kind = note || ticket?.customer_facing === 0 ? 'note' : 'reply';
  const text = note ? body.text.slice(note[0].length).trim() || d.deps.mail.translator(d.sender.locale)('mailin.noText') : body.text;
  const html = note ? textToHtml(text) : body.html;
  await postAgentMessage(d.deps.db, toActor(d.sender), ticketId, { ...parseAgentMessage({ kind, body: text }), uploadIds, origin: { ...origin, bodyHtml: html } });
}

/**
 * An auto-reply (out of office, a ticket system's receipt) on a ticket: kept as an internal note, so
 * agents see it, but it neither reopens the ticket nor notifies anyone.
 */
async function recordAutomatic(d: Delivery, ticketId: number, uploadIds: number[], origin: MessageOrigin): Promise<void> {
  await d.deps.db.transaction().execute(async (trx) => {
    const messageId = await addMessage(trx, toActor(d.sender), ticketId, {
      kind: 'note', bodyText: d.body.text, bodyHtml: origin.bodyHtml, via: 'email', emailMessageId: d.mail.messageId,
      matchReason: origin.matchReason, quotedText: origin.quotedText, uploadIds, stamps: 'none',
    });
    await origin.within!(trx, messageId);
  });
}

/** A reply to a closed ticket: a follow-up ticket, or a polite refusal (setting `portal.closed_reply`). */
async function closedTicket(d: Delivery, match: Match): Promise<Outcome> {
  const { db } = d.deps;
  const original = await db.selectFrom('tickets').select(['id', 'subject', 'brand_id', 'group_id']).where('id', '=', match.ticketId).executeTakeFirstOrThrow();
  if ((await closedReplyPolicy(db)) === 'followup') return newTicket(d, { ...original, matched: match.reason });
  if (!d.automatic) await mailRefusal(db, d.deps.mail, d.mail, 'closed', original.brand_id, original.id, d.sender.locale);
  await recordInbound(db, d.mail, original.id, 'refused:closed');
  return { status: 'refused', why: 'closed', ticketId: original.id };
}

/**
 * A new ticket from the mail (or a follow-up to a closed one, in its brand and group: that came of a
 * match, so an unverified sender adds no CCs to it either).
 */
export async function newTicket(d: Delivery, followUpOf: { id: number; subject: string; brand_id: number; group_id: number | null; matched: MatchReason } | null): Promise<Outcome> {
  const { db, mail } = d.deps;
  const t = mail.translator(d.sender.locale);
  const destination: Destination = followUpOf
    ? { address: '', brandId: followUpOf.brand_id, groupId: followUpOf.group_id }
    : await destinationFor(db, d.mail.recipients);
  const plain = stripSubjectPrefixes(d.mail.subject.replace(/\[#\d{1,12}\]\s*/g, '')) || t('mailin.noSubject');
  const subject = (followUpOf ? t('portal.submit.followupSubject', { id: followUpOf.id, subject: followUpOf.subject }) : plain).slice(0, 200);
  const files = await storeFilesOf(d);
  const reason: MatchReason = 'new-ticket';
  const powers = powersOf(d.proof, d.settings, followUpOf === null);
  try {
    const ticketId = await openTicketFromMail(db, {
      requester: d.sender, subject, body: files.body, destination, emailMessageId: d.mail.messageId,
      uploadIds: files.uploads.map((u) => u.id), confirm: !d.automatic, reason,
      within: async (trx, id, messageId) => {
        await bindOriginal(trx, messageId, d.sender.id, files.original);
        await recordInbound(trx, d.mail, id, 'stored');
        if (sideOf(d.sender) === 'customer') await addCcsFromMail(trx, d, id, powers, followUpOf?.matched ?? null);
        if (followUpOf) await linkFollowUp(trx, followUpOf.id, id, d.sender.id);
      },
    });
    return { status: 'stored', ticketId, reason, created: true };
  } catch (error) {
    await discard(d, files);
    if (error instanceof DomainError) throw new Error(`mail could not open a ticket: ${error.message}`);
    throw error;
  }
}

async function linkFollowUp(trx: Trx, originalId: number, followUpId: number, actorId: number): Promise<void> {
  await changeTicket(trx, { id: actorId }, originalId, { history: [{ kind: 'followup', from: null, to: `#${followUpId}` }] });
}

/** A bounce is recorded on the ticket whose mail it returns (an internal note with the DSN attached), never answered. */
export async function recordBounce(deps: MailInDeps, raw: Buffer, mail: InboundMail): Promise<Outcome> {
  const { db, config } = deps;
  const report = readBounce(mail, raw, config.mailDomain);
  const ticket = report.ticketId === null ? undefined
    : await db.selectFrom('tickets').select('id').where('id', '=', report.ticketId).executeTakeFirst();
  if (!ticket) {
    await recordInbound(db, mail, null, 'bounce');
    return { status: 'bounce', ticketId: null };
  }
  const t = deps.mail.translator('en');
  const text = t('mailin.bounce.note', { recipient: report.recipient || '?', status: report.status || '?' });
  const original = await storeOriginal(config.uploadsDir, raw);
  await db.transaction().execute(async (trx) => {
    const messageId = await addMessage(trx, null, ticket.id, {
      kind: 'note', bodyText: text, bodyHtml: textToHtml(text), via: 'email', emailMessageId: mail.messageId, matchReason: 'bounce', stamps: 'none',
    });
    await bindOriginal(trx, messageId, null, original);
    await recordInbound(trx, mail, ticket.id, 'bounce');
  });
  return { status: 'bounce', ticketId: ticket.id };
}

/**
 * A complaint (an ARF abuse report from a mailbox provider): the address is marked so that no more
 * automatic mail goes to it, and the report is noted on the ticket whose mail it returns. Never answered.
 */
export async function recordComplaintReport(deps: MailInDeps, raw: Buffer, mail: InboundMail): Promise<Outcome> {
  const { db, config } = deps;
  const report = readBounce(mail, raw, config.mailDomain);
  const address = complainant(raw);
  const feedbackType = /^Feedback-Type:\s*([\w-]{1,40})/im.exec(raw.toString('latin1'))?.[1]?.toLowerCase() ?? 'abuse';
  const ticket = report.ticketId === null ? undefined
    : await db.selectFrom('tickets').select('id').where('id', '=', report.ticketId).executeTakeFirst();
  if (address) await recordComplaint(db, address, feedbackType, ticket?.id ?? null);
  if (!ticket) {
    await recordInbound(db, mail, null, 'complaint');
    return { status: 'complaint', ticketId: null, address };
  }
  const t = deps.mail.translator('en');
  const text = t('mailin.complaint.note', { recipient: address || '?', type: feedbackType });
  const original = await storeOriginal(config.uploadsDir, raw);
  await db.transaction().execute(async (trx) => {
    const messageId = await addMessage(trx, null, ticket.id, {
      kind: 'note', bodyText: text, bodyHtml: textToHtml(text), via: 'email', emailMessageId: mail.messageId, matchReason: 'bounce', stamps: 'none',
    });
    await bindOriginal(trx, messageId, null, original);
    await recordInbound(trx, mail, ticket.id, 'complaint');
  });
  return { status: 'complaint', ticketId: ticket.id, address };
}
