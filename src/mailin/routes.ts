import type { FastifyInstance } from 'fastify';
import { Invalid, NotFound } from '../lib/errors.js';
import { parseForm } from '../lib/form.js';
import { positiveInt } from '../lib/validate.js';
import { allow } from '../plugins/guards.js';
import { findVisibleTicket } from '../tickets/queries.js';
import { addSupportAddress, destinationFor, listSupportAddresses, removeSupportAddress, routingChoices } from './addresses.js';
import { parseImapUrl } from './imap.js';
import { mailSettingsSchema, spamSenderSchema, supportAddressSchema } from './schemas.js';
import { listSpamSenders, markTicketSpam, unmarkSpamSender } from './spam.js';
import { mailSettingsForm, saveMailSettings } from './trust.js';

type Form = Record<string, string | undefined>;

/** `/admin/mail` (support addresses, new senders, spam senders) and marking a ticket as spam. */
export default async function mailInRoutes(app: FastifyInstance) {
  const { db, config } = app;
  const admin = { preHandler: allow('admin.access') };
  const staff = { preHandler: allow('desk.use') };

  async function adminPage(extra: Record<string, unknown> = {}) {
    let imap: string | null = null;
    try {
      imap = config.imapUrl ? `${parseImapUrl(config.imapUrl).host}/${parseImapUrl(config.imapUrl).mailbox}` : null;
    } catch { imap = '?'; }
    return {
      addresses: await listSupportAddresses(db),
      fallback: await destinationFor(db, []),
      ...(await routingChoices(db)),
      spam: await listSpamSenders(db),
      settings: await mailSettingsForm(db),
      smtpListen: config.smtpListen, imap, mailDomain: config.mailDomain,
      values: {}, errors: {}, settingsErrors: {}, ...extra,
    };
  }

  app.get('/admin/mail', admin, async (_request, reply) => reply.page('admin/mail', await adminPage()));

  app.post<{ Body: Form }>('/admin/mail/addresses', admin, async (request, reply) => {
    try {
      await addSupportAddress(db, request.actor!, parseForm(supportAddressSchema, request.body));
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return reply.page('admin/mail', await adminPage({ values: request.body ?? {}, errors: error.fields }), { status: 422 });
    }
    return reply.seeOther('/admin/mail', 'mailin.admin.added');
  });

  app.post<{ Params: { id: string } }>('/admin/mail/addresses/:id/delete', admin, async (request, reply) => {
    const id = positiveInt(request.params.id);
    if (!id) throw new NotFound();
    await removeSupportAddress(db, request.actor!, id);
    return reply.seeOther('/admin/mail', 'mailin.admin.removed');
  });

  app.post<{ Body: Form }>('/admin/mail/settings', admin, async (request, reply) => {
    const form = request.body ?? {};
    try {
      await saveMailSettings(db, request.actor!, parseForm(mailSettingsSchema, form));
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const settings = { allowNew: form.allowNew === '1', trustedIds: form.trustedIds ?? '', verifiedStaff: form.verifiedStaff === '1', ccCap: form.ccCap ?? '', perSenderHour: form.perSenderHour ?? '' };
      return reply.page('admin/mail', await adminPage({ settings, settingsErrors: error.fields }), { status: 422 });
    }
    return reply.seeOther('/admin/mail', 'mailin.admin.saved');
  });

  app.post<{ Body: Form }>('/admin/mail/spam/delete', admin, async (request, reply) => {
    await unmarkSpamSender(db, request.actor!, parseForm(spamSenderSchema, request.body).address);
    return reply.seeOther('/admin/mail', 'mailin.admin.unmarked');
  });

  app.get<{ Params: { id: string } }>('/agent/tickets/:id/spam', staff, async (request, reply) => {
    const ticket = await findVisibleTicket(db, request.actor!, positiveInt(request.params.id) ?? -1);
    if (!ticket) throw new NotFound();
    return reply.page('mailin/spam', { ticket });
  });

  app.post<{ Params: { id: string } }>('/agent/tickets/:id/spam', staff, async (request, reply) => {
    await markTicketSpam(db, request.actor!, positiveInt(request.params.id) ?? -1);
    return reply.seeOther('/agent/tickets', 'mailin.spam.done');
  });
}
