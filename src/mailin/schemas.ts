import * as z from 'zod';
import { email, flag, maybeId, messageWith } from '../lib/form.js';
import { positiveInt } from '../lib/validate.js';
import { MAX_MAIL_CCS, MAX_PER_SENDER_HOUR, splitIds } from './trust.js';

/**
 * The forms of `/admin/mail`, read into typed input (src/lib/form.ts). Whether a brand or group
 * exists, and whether an address is taken, the verbs check.
 */

const trimmed = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/** A support address and where its mail goes; the group is optional (undefined when none is chosen, null when what was sent is no id). */
export const supportAddressSchema = z.object({
  address: email(),
  brandId: maybeId(),
  groupId: z.preprocess((value) => (value ? positiveInt(value) : undefined), z.number().nullable().optional()),
});
export type SupportAddressInput = z.output<typeof supportAddressSchema>;

const AUTHSERV_ID = /^[a-z0-9](?:[a-z0-9._-]{0,251}[a-z0-9])?$/;

/** Who is trusted, and how far (trust.ts's MailTrustSettings): new customers by mail, the MTAs whose verdicts count, staff by verified mail, strangers' CCs. */
export const mailSettingsSchema = z.object({
  allowNew: flag(),
  trustedIds: z.preprocess(trimmed, z.string().transform((typed, ctx) => {
    const ids = splitIds(typed);
    if (typed.length > 500 || ids.length > 10) ctx.addIssue({ code: 'custom', message: 'errors.tooLong' });
    else if (!ids.every((id) => AUTHSERV_ID.test(id))) ctx.addIssue({ code: 'custom', message: 'mailin.admin.errors.authservId' });
    return ids;
  })),
  verifiedStaff: flag(),
  ccCap: z.preprocess(trimmed, z.string().transform((typed, ctx) => {
    const cap = Number(typed);
    if (typed === '' || !Number.isInteger(cap) || cap < 0 || cap > MAX_MAIL_CCS) ctx.addIssue({ code: 'custom', message: messageWith('admin.settings.errors.range', { min: 0, max: MAX_MAIL_CCS }) });
    return cap;
  })),
  perSenderHour: z.preprocess(trimmed, z.string().transform((typed, ctx) => {
    const limit = Number(typed);
    if (typed === '' || !Number.isInteger(limit) || limit < 1 || limit > MAX_PER_SENDER_HOUR) {
      ctx.addIssue({ code: 'custom', message: messageWith('admin.settings.errors.range', { min: 1, max: MAX_PER_SENDER_HOUR }) });
    }
    return limit;
  })),
});

/** "Not spam": the sender's address as listed. */
export const spamSenderSchema = z.object({ address: z.preprocess((value) => (typeof value === 'string' ? value : ''), z.string()) });
