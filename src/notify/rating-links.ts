import { hmac, safeEqual } from '../lib/crypto.js';

/**
 * The Good / Bad links of a "solved" mail. They work without a login, so the link itself is the
 * permission: signed with SECRET_KEY over the ticket, the requester, the score and an expiry, and
 * usable for nothing but that rating. Following one only shows a page; its button records the rating,
 * so a mail scanner that opens every link changes nothing.
 */
export type Score = 'good' | 'bad';

export interface RatingClaim {
  ticketId: number;
  userId: number;
  score: Score;
}

export const RATING_LINK_TTL_MS = 30 * 24 * 3600_000;

const TOKEN = /^(\d{1,12})\.(\d{1,12})\.(good|bad)\.([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/;

function signature(secretKey: string, ticketId: number, userId: number, score: string, expires: string): string {
  return hmac(secretKey, `rating-link:${ticketId}:${userId}:${score}:${expires}`);
}

export function ratingToken(secretKey: string, claim: RatingClaim, expiresAtMs = Date.now() + RATING_LINK_TTL_MS): string {
  const expires = Math.floor(expiresAtMs / 1000).toString(36);
  return [claim.ticketId, claim.userId, claim.score, expires, signature(secretKey, claim.ticketId, claim.userId, claim.score, expires)].join('.');
}

export type RatingTokenCheck = { ok: true; claim: RatingClaim } | { ok: false; reason: 'invalid' | 'expired' };

/** The claim a token carries, once its signature is right and it has not expired. */
export function readRatingToken(secretKey: string, token: string, nowMs = Date.now()): RatingTokenCheck {
  const match = TOKEN.exec(token);
  if (!match) return { ok: false, reason: 'invalid' };
  const [, ticket, user, score, expires, sig] = match as unknown as [string, string, string, Score, string, string];
  if (!safeEqual(sig, signature(secretKey, Number(ticket), Number(user), score, expires))) return { ok: false, reason: 'invalid' };
  if (parseInt(expires, 36) * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, claim: { ticketId: Number(ticket), userId: Number(user), score } };
}
