import type { Db } from '../db/connect.js';
import { recordAudit } from '../admin/audit.js';
import { allSettings, putSetting } from '../settings/settings.js';
import type { Actor } from '../users/actor.js';
import { verifiedSender, type SenderCheck } from './authres.js';
import type { Match } from './match.js';
import type { InboundMail } from './parse.js';

/** Setting: whether a stranger's mail makes them a customer (on unless set to '0'). */
export const ALLOW_NEW_CUSTOMERS = 'mailin.allow_new_customers';
/** Setting: the authserv-ids of the MTAs whose Authentication-Results are believed (none by default). */
export const TRUSTED_AUTHSERV_IDS = 'mailin.trusted_authserv_ids';
/** Setting: whether staff verified by those headers may answer and write notes by mail ('1'), or only from their reply address. */
export const VERIFIED_STAFF = 'mailin.verified_staff';
/** Setting: how many CCs mail from an unverified sender may give a ticket. */
export const UNVERIFIED_CC_CAP = 'mailin.unverified_cc_cap';

/** The most people one mail adds as CCs, whoever sent it. */
export const MAX_MAIL_CCS = 20;
const DEFAULT_CC_CAP = 5;
/** Setting: how many mails one sender may send in an hour before the rest wait at their MTA (issue 25.5). */
export const PER_SENDER_HOUR = 'mailin.per_sender_hour';
export const DEFAULT_PER_SENDER_HOUR = 60;
/** The highest per-sender limit the admin page accepts. */
export const MAX_PER_SENDER_HOUR = 10_000;

export interface MailTrustSettings {
  allowNew: boolean;
  trustedIds: string[];
  verifiedStaff: boolean;
  ccCap: number;
  /** Mails one sender may send in an hour. */
  perSenderHour: number;
}

export async function mailTrustSettings(db: Db): Promise<MailTrustSettings> {
  const stored = await allSettings(db);
  const cap = Number(stored.get(UNVERIFIED_CC_CAP) ?? DEFAULT_CC_CAP);
  const perSender = Number(stored.get(PER_SENDER_HOUR) ?? DEFAULT_PER_SENDER_HOUR);
  return {
    allowNew: stored.get(ALLOW_NEW_CUSTOMERS) !== '0',
    trustedIds: splitIds(stored.get(TRUSTED_AUTHSERV_IDS) ?? ''),
    verifiedStaff: stored.get(VERIFIED_STAFF) === '1',
    ccCap: Number.isInteger(cap) && cap >= 0 ? Math.min(cap, MAX_MAIL_CCS) : DEFAULT_CC_CAP,
    perSenderHour: Number.isInteger(perSender) && perSender >= 1 ? Math.min(perSender, MAX_PER_SENDER_HOUR) : DEFAULT_PER_SENDER_HOUR,
  };
}

export function splitIds(value: string): string[] {
  return value.split(/[\s,]+/).map((id) => id.trim().toLowerCase()).filter(Boolean);
}

/**
 * What vouches for a mail's sender: the signed reply address it was sent to (made for this sender
 * and this ticket), or the verdict of a trusted MTA on the From domain. Null: only the From line.
 */
export type Proof = 'reply-token' | SenderCheck | null;

export function proofOf(mail: InboundMail, match: Match | null, settings: MailTrustSettings): Proof {
  if (match?.reason === 'reply-token') return 'reply-token';
  return verifiedSender(mail.authResults, mail.from?.address ?? '', settings.trustedIds);
}

/**
 * What a mail may do follows from how it was matched and what vouches for its sender, never from
 * the From line alone (issue 15): staff act by mail only from their reply address, or verified when
 * the admin allows it; an unverified sender adds no CCs to a ticket it matched, and at most the cap
 * to a ticket it opens.
 */
export interface Powers {
  proof: Proof;
  /** A staff sender may answer or write a note. */
  staff: boolean;
  /** How many CCs the ticket may have after this mail; null: up to MAX_MAIL_CCS new ones, as in the browser. */
  ccCeiling: number | null;
}

export function powersOf(proof: Proof, settings: MailTrustSettings, opensTicket: boolean): Powers {
  if (proof === 'reply-token') return { proof, staff: true, ccCeiling: null };
  if (proof !== null) return { proof, staff: settings.verifiedStaff, ccCeiling: null };
  return { proof, staff: false, ccCeiling: opensTicket ? settings.ccCap : 0 };
}

/** The mail settings form of `/admin/mail`, as stored. */
export interface MailSettingsForm {
  allowNew: boolean;
  trustedIds: string;
  verifiedStaff: boolean;
  ccCap: string;
  perSenderHour: string;
}

export async function mailSettingsForm(db: Db): Promise<MailSettingsForm> {
  const settings = await mailTrustSettings(db);
  return { allowNew: settings.allowNew, trustedIds: settings.trustedIds.join(', '), verifiedStaff: settings.verifiedStaff, ccCap: String(settings.ccCap), perSenderHour: String(settings.perSenderHour) };
}

/** An admin saves the mail settings (read by schemas.ts's mailSettingsSchema, every mistake at once): each change with its audit entry. */
export async function saveMailSettings(db: Db, actor: Actor, input: MailTrustSettings): Promise<void> {
  const next: Record<string, string> = {
    [ALLOW_NEW_CUSTOMERS]: input.allowNew ? '1' : '0',
    [TRUSTED_AUTHSERV_IDS]: input.trustedIds.join(', '),
    [VERIFIED_STAFF]: input.verifiedStaff ? '1' : '0',
    [UNVERIFIED_CC_CAP]: String(input.ccCap),
    [PER_SENDER_HOUR]: String(input.perSenderHour),
  };
  await db.transaction().execute(async (trx) => {
    const stored = await allSettings(trx);
    const defaults: Record<string, string> = { [ALLOW_NEW_CUSTOMERS]: '1', [TRUSTED_AUTHSERV_IDS]: '', [VERIFIED_STAFF]: '0', [UNVERIFIED_CC_CAP]: String(DEFAULT_CC_CAP), [PER_SENDER_HOUR]: String(DEFAULT_PER_SENDER_HOUR) };
    for (const [key, value] of Object.entries(next)) {
      const before = stored.get(key) ?? defaults[key]!;
      if (before === value) continue;
      await putSetting(trx, key, value);
      await recordAudit(trx, actor, { action: 'setting.changed', subjectType: 'setting', subjectId: 0, before, after: value, details: { key } });
    }
  });
}
