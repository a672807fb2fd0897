import { issueInvitation, issueResetToken, revokeTokens } from '../auth/auth.js';
import type { Db } from '../db/connect.js';
import type { StreamEvent } from '../events/record.js';
import { composeMail } from '../mail/compose.js';
import type { MailContext } from '../mail/context.js';
import { queueMail } from '../mail/outbox.js';

type Person = { id: number; name: string; email: string; locale: string; state: string };

/**
 * Account mail, composed by the worker from `account.*` events: the verbs (an admin invites or
 * sends a reset link, someone asks for one, sign-in is paused) only record that it is due. The one-
 * time links are issued here, in the consumer's transaction, so no token is ever kept in the stream.
 */
export async function mailAccount(trx: Db, mail: MailContext, event: StreamEvent): Promise<void> {
  const person = await findPerson(trx, (event.payload as { userId: number }).userId);
  if (!person) return;
  if (event.kind === 'account.invited') await invite(trx, mail, person);
  if (event.kind === 'account.reset' && person.state === 'active') await mailReset(trx, mail, person);
  if (event.kind === 'account.paused' && person.state === 'active') {
    const { minutes, failures } = event.payload as { minutes: number; failures: number };
    await queueMail(trx, await composeMail(trx, mail, {
      to: person, template: 'emails/login-paused',
      subject: (t, brand) => t('mail.loginPaused.subject', { portal: brand.portal_title }),
      data: { person, minutes, failures, link: `${mail.baseUrl}/password/forgot` },
    }));
  }
  if (event.kind === 'account.twoFactorReset' && person.state !== 'disabled') {
    await queueMail(trx, await composeMail(trx, mail, {
      to: person, template: 'emails/two-factor-reset',
      subject: (t, brand) => t('mail.twoFactorReset.subject', { portal: brand.portal_title }),
      data: { person, link: `${mail.baseUrl}/account/two-factor` },
    }));
  }
  if (event.kind === 'account.newDevice' && person.state === 'active') {
    const { browser, os, ip } = event.payload as { browser: string; os: string; ip: string | null };
    await queueMail(trx, await composeMail(trx, mail, {
      to: person, template: 'emails/new-device',
      subject: (t, brand) => t('mail.newDevice.subject', { portal: brand.portal_title }),
      data: { person, browser, os, ip: ip ?? '?', link: `${mail.baseUrl}/account/sessions` },
    }));
  }
}

/** A customer made for a ticket (a new requester an agent named, a CC the requester added) is invited. */
export async function inviteToTicket(trx: Db, mail: MailContext, userId: number): Promise<void> {
  const person = await findPerson(trx, userId);
  if (person) await invite(trx, mail, person);
}

function findPerson(trx: Db, userId: number): Promise<Person | undefined> {
  return trx.selectFrom('users').select(['id', 'name', 'email', 'locale', 'state']).where('id', '=', userId).executeTakeFirst();
}

/**
 * A "Create password" mail (seed 003): the link works once and for 7 days; it replaces any earlier
 * one, so only the newest invitation opens. Someone who has meanwhile set a password, or was
 * disabled, gets none.
 */
async function invite(trx: Db, mail: MailContext, person: Person): Promise<void> {
  if (person.state !== 'invited') return;
  await revokeTokens(trx, person.id, ['invite']);
  const token = await issueInvitation(trx, person.id);
  await queueMail(trx, await composeMail(trx, mail, {
    to: person, template: 'emails/invitation',
    subject: (t, brand) => t('mail.invitation.subject', { portal: brand.portal_title }),
    data: { person, link: `${mail.baseUrl}/welcome?token=${token}` },
  }));
}

/** The password reset mail: a link that works once, for an hour. */
async function mailReset(trx: Db, mail: MailContext, person: Person): Promise<void> {
  const token = await issueResetToken(trx, person.id);
  await queueMail(trx, await composeMail(trx, mail, {
    to: person, template: 'emails/reset',
    subject: (t, brand) => t('mail.reset.subject', { portal: brand.portal_title }),
    data: { person, link: `${mail.baseUrl}/password/reset?token=${token}` },
  }));
}
