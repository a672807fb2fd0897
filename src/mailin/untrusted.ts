import { addMessage } from '../kernel/index.js';
import type { Trx } from '../db/connect.js';
import type { Translate } from '../i18n.js';
import { textToHtml } from './content.js';
import { bindOriginal, recordInbound, storeOriginal } from './files.js';
import type { Match, MatchReason } from './match.js';
import { addMailCcs } from './tickets.js';
import type { Powers } from './trust.js';
import type { Delivery, Outcome } from './types.js';

/** How many refused addresses a note names before it only counts the rest. */
const NAMED = 20;

/**
 * What a mail was not allowed to do, kept where agents look: an internal note on the ticket written
 * by nobody (as a bounce is), never mailed to the sender, who learns nothing about the ticket.
 */
async function writeNote(trx: Trx, d: Delivery, ticketId: number, text: string, reason: 'refused' | 'refused-ccs'): Promise<number> {
  return addMessage(trx, null, ticketId, {
    kind: 'note', bodyText: text, bodyHtml: textToHtml(text), via: 'email', emailMessageId: d.mail.messageId, matchReason: reason, stamps: 'none',
  });
}

const how = (t: Translate, reason: MatchReason) => t(`mailin.how.${reason}`);

/**
 * A staff member's mail that only names a ticket (its number, its headers) and whose sender nothing
 * vouches for: anyone can write that From line, so it is neither posted nor made a note. Agents find
 * it on the ticket with the original attached; the sender gets no answer.
 */
export async function refuseStaffMail(d: Delivery, match: Match): Promise<Outcome> {
  const { db, config, mail } = d.deps;
  const t = mail.translator('en');
  const original = await storeOriginal(config.uploadsDir, d.raw);
  const text = `${t('mailin.untrusted.staff', { sender: d.mail.from!.address, how: how(t, match.reason) })}\n\n${d.body.text}`;
  await db.transaction().execute(async (trx) => {
    const messageId = await writeNote(trx, d, match.ticketId, text, 'refused');
    await bindOriginal(trx, messageId, null, original);
    await recordInbound(trx, d.mail, match.ticketId, 'refused:unverified');
  });
  return { status: 'refused', why: 'unverified', ticketId: match.ticketId };
}

/**
 * The CCs a customer's mail brings, as far as its powers go; who was left out is noted on the
 * ticket. `matched` is how the mail found an existing ticket (null: it opens a new one).
 */
export async function addCcsFromMail(trx: Trx, d: Delivery, ticketId: number, powers: Powers, matched: MatchReason | null): Promise<void> {
  const { refused, unread } = await addMailCcs(trx, ticketId, d.others, d.sender.id, d.own, d.settings.allowNew, powers.ccCeiling);
  if (refused.length === 0 && unread === 0) return;
  const t = d.deps.mail.translator('en');
  const named = refused.slice(0, NAMED).join(', ');
  const rest = refused.length - Math.min(refused.length, NAMED) + unread;
  const addresses = rest === 0 ? named : named ? t('mailin.untrusted.more', { list: named, count: rest }) : t('mailin.untrusted.others', { count: rest });
  const text = matched && matched !== 'new-ticket'
    ? t('mailin.untrusted.ccsMatched', { how: how(t, matched), addresses })
    : t('mailin.untrusted.ccsCap', { cap: powers.ccCeiling ?? 0, addresses });
  await writeNote(trx, d, ticketId, text, 'refused-ccs');
}
