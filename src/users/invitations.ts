import type { Db } from '../db/connect.js';
import { recordEvent } from '../events/record.js';

/**
 * Someone is to get an account mail: a "Create password" invitation (seed 003) or a password reset
 * link. Recorded as an event in the caller's transaction; the notifications consumer issues the
 * link and composes the mail (src/notify/account.ts).
 */
export async function sendAccountMail(trx: Db, actorId: number | null, userId: number, mail: 'invited' | 'reset'): Promise<void> {
  await recordEvent(trx, { kind: `account.${mail}`, ticketId: null, actorId, payload: { userId } });
}
