import { hmac, safeEqual } from '../lib/crypto.js';

/**
 * How Deskbell's mail threads hold (issue 6): every ticket mail carries our own Message-ID, and a
 * Reply-To of the form `<local>+<ticket>.<token>@MAIL_DOMAIN` where the token is an HMAC bound to the
 * ticket and the recipient, so a reply lands on its ticket even when a mail client drops the
 * In-Reply-To/References headers, and a stranger cannot forge one.
 */
export interface ThreadingConfig {
  secretKey: string;
  mailDomain: string;
  /** The part before the `+`: `support` gives support+123.token@example.com. */
  localPart: string;
}

const TOKEN_LENGTH = 16;

function token(config: ThreadingConfig, ticketId: number, recipient: string): string {
  return hmac(config.secretKey, `reply:${ticketId}:${recipient.trim().toLowerCase()}`).slice(0, TOKEN_LENGTH).replace(/[-_]/g, 'x');
}

export function replyAddress(config: ThreadingConfig, ticketId: number, recipient: string): string {
  return `${config.localPart}+${ticketId}.${token(config, ticketId, recipient)}@${config.mailDomain}`;
}

/**
 * The ticket a reply address names, when its token is right for this sender; null otherwise
 * (not one of ours, a forged token, or a reply address forwarded to someone else).
 */
export function ticketFromReplyAddress(config: ThreadingConfig, address: string, sender: string): number | null {
  const match = /^([^+@\s]+)\+(\d{1,12})\.([A-Za-z0-9]{16})@(.+)$/.exec(address.trim());
  if (!match || match[4]!.toLowerCase() !== config.mailDomain.toLowerCase()) return null;
  const ticketId = Number(match[2]);
  // Some servers lower-case whole addresses: the token is compared without case (16 characters of
  // [a-z0-9] still leave ~2^82 to guess).
  return safeEqual(match[3]!.toLowerCase(), token(config, ticketId, sender).toLowerCase()) ? ticketId : null;
}

/** Our Message-ID for one outgoing mail of a ticket: `<ticket-123.mail-456@MAIL_DOMAIN>`. */
export function messageIdFor(config: Pick<ThreadingConfig, 'mailDomain'>, ticketId: number, uniquePart: string | number): string {
  return `<ticket-${ticketId}.${uniquePart}@${config.mailDomain}>`;
}

/** The ticket one of our Message-IDs belongs to (from In-Reply-To / References), or null. */
export function ticketFromMessageId(config: Pick<ThreadingConfig, 'mailDomain'>, messageId: string): number | null {
  const match = /^<?ticket-(\d{1,12})\.[^@>\s]+@([^>\s]+)>?$/.exec(messageId.trim());
  return match && match[2]!.toLowerCase() === config.mailDomain.toLowerCase() ? Number(match[1]) : null;
}
