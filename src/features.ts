import type { FastifyPluginAsync } from 'fastify';
import auditRoutes from './admin/routes-audit.js';
import adminIndexRoutes from './admin/routes-index.js';
import bulkRoutes from './agent/routes-bulk.js';
import listSettingsRoutes from './agent/routes-list-settings.js';
import agentChatRoutes from './agent/routes-chat.js';
import agentPanelRoutes from './agent/routes-panel.js';
import fleetRoutes from './agent/routes-fleet.js';
import ticketTagRoutes from './agent/routes-tags.js';
import agentTicketRoutes from './agent/routes-tickets.js';
import videoRoutes from './agent/routes-video.js';
import { runUploadCleanup, scheduleUploadCleanup, UPLOAD_CLEANUP_JOB } from './attachments/cleanup.js';
import attachmentRoutes from './attachments/routes.js';
import { MAINTENANCE_JOB, runAuthMaintenance, scheduleAuthMaintenance } from './auth/maintenance.js';
import authRoutes from './auth/routes.js';
import passwordRoutes from './auth/routes-password.js';
import adminBrandRoutes from './brands/routes-admin.js';
import catalogFieldRoutes from './catalog/routes-fields.js';
import catalogTypeRoutes from './catalog/routes-types.js';
import chatRoutes from './chat/plugin.js';
import type { Config } from './config.js';
import dashboardRoutes from './dashboard/routes.js';
import type { Db } from './db/connect.js';
import { OPTIMIZE_JOB, runOptimize, scheduleOptimize } from './db/optimize.js';
import { OFFER_EXPIRY_JOB, runOfferExpiryJob, scheduleOfferExpiry } from './fleet/expiry.js';
import offerInboxRoutes from './fleet/routes-offers.js';
import adminGroupRoutes from './groups/routes-admin.js';
import teamRoutes from './groups/routes-team.js';
import type { Worker } from './jobs/worker.js';
import { MAIL_JOB, smtpSender } from './mail/outbox.js';
import outboxRoutes from './mail/routes-admin.js';
import mailInRoutes from './mailin/routes.js';
import organizationRoutes from './organizations/routes.js';
import peopleRoutes from './people/routes.js';
import personRecordRoutes from './people/routes-records.js';
import portalChatRoutes from './portal/routes-chat.js';
import portalDraftRoutes from './portal/routes-drafts.js';
import portalHomeRoutes from './portal/routes-home.js';
import portalSubmitRoutes from './portal/routes-submit.js';
import portalTicketRoutes from './portal/routes-ticket.js';
import searchRoutes from './search/routes.js';
import adminServiceRoutes from './services/routes-admin.js';
import settingsRoutes from './settings/routes-admin.js';
import statusRoutes from './statuses/routes-admin.js';
import adminTagRoutes from './tags/routes-admin.js';
import textsRoutes from './texts/routes-admin.js';
import { AUTOCLOSE_JOB, runAutoCloseJob, scheduleAutoClose } from './tickets/autoclose.js';
import savedViewRoutes from './saved-views/routes.js';
import cancelRoutes from './tickets/routes-cancel.js';
import accountRoutes from './users/routes-account.js';
import signatureRoutes from './signatures/routes.js';
import customerRoutes from './users/routes-customers.js';
import ticketLinkRoutes from './agent/routes-links.js';
import { runSlaJob, scheduleSlaCheck, SLA_JOB } from './sla/job.js';
import slaAdminRoutes from './sla/routes-admin.js';
import macroRoutes from './macros/routes.js';
import ticketMacroRoutes from './agent/routes-macros.js';
import twoFactorRoutes from './auth/routes-two-factor.js';
import sessionRoutes from './auth/routes-sessions.js';
import ticketSnoozeRoutes from './agent/routes-snooze.js';
import adminBinRoutes from './bin/routes-admin.js';
import { BIN_PURGE_JOB, runBinPurgeJob, scheduleBinPurge } from './bin/bin.js';
import { runSnoozeJob, scheduleSnoozeReturns, SNOOZE_JOB } from './snooze/snooze.js';
import apiRoutes from './api/plugin.js';
import apiTokenRoutes from './api/routes-tokens.js';
import { runWebhookCleanupJob, scheduleWebhookCleanup, WEBHOOK_CLEANUP_JOB } from './webhooks/cleanup.js';
import { deliverWebhook } from './webhooks/deliver.js';
import { WEBHOOK_JOB } from './webhooks/deliveries.js';
import webhookAdminRoutes from './webhooks/routes-admin.js';
import ruleAdminRoutes from './rules/routes-admin.js';
import reportRoutes from './reports/routes.js';
import passkeyRoutes from './passkeys/routes.js';
import ssoRoutes from './sso/routes.js';
import ssoAdminRoutes from './sso/routes-admin.js';
import helpPublicRoutes from './help/routes-public.js';
import helpAgentRoutes from './help/routes-agent.js';
import helpStructureRoutes from './help/routes-structure.js';
import ticketArticleRoutes from './agent/routes-articles.js';

/** Every feature's routes, by area. Each plugin guards its own routes (role, CSRF, scope). */
export const ROUTES: FastifyPluginAsync[] = [
  // everyone: login, passwords, profile
  authRoutes, passwordRoutes, accountRoutes,
  // staff
  dashboardRoutes, agentTicketRoutes, agentPanelRoutes, ticketTagRoutes, searchRoutes, bulkRoutes, listSettingsRoutes, savedViewRoutes, customerRoutes, signatureRoutes, teamRoutes, videoRoutes, fleetRoutes, offerInboxRoutes, chatRoutes, agentChatRoutes,
  ticketLinkRoutes,
  macroRoutes, ticketMacroRoutes,
  // customers
  portalHomeRoutes, portalSubmitRoutes, portalTicketRoutes, portalDraftRoutes, portalChatRoutes,
  // both, each checking who may see what
  attachmentRoutes, cancelRoutes,
  // admins
  adminIndexRoutes, statusRoutes, catalogTypeRoutes, catalogFieldRoutes, peopleRoutes, personRecordRoutes,
  organizationRoutes, adminGroupRoutes, adminBrandRoutes, adminServiceRoutes, settingsRoutes, textsRoutes,
  adminTagRoutes,
  outboxRoutes, mailInRoutes, auditRoutes,
  slaAdminRoutes,
  // two-factor sign-in: the second step, one's own set-up, the admin's reset; sessions you can see (each route guarded)
  twoFactorRoutes, sessionRoutes,
  // snooze (staff) and the recycle bin (admins), issue 20
  ticketSnoozeRoutes, adminBinRoutes,
  // the JSON API under /api and personal API tokens (issue 22; each route guarded)
  apiRoutes, apiTokenRoutes,
  // webhook subscriptions and their delivery log (admins), issue 22
  webhookAdminRoutes,
  // triggers and automations (admins), issue 21
  ruleAdminRoutes,
  // reports (staff: their own; supervisors and admins: everyone's), issue 21
  reportRoutes,
  // passkeys and single sign-on (issue 24), each route guarded
  passkeyRoutes, ssoRoutes, ssoAdminRoutes,
  // the help center (issue 23): its readers (visitors when the desk allows), and staff who write it
  helpPublicRoutes, helpAgentRoutes, helpStructureRoutes, ticketArticleRoutes,
];

/** The worker's job kinds. Mail is sent only when SMTP_URL is set; otherwise it waits in the outbox. */
export function registerJobs(worker: Worker, deps: { config: Config; db: Db }): void {
  const { config, db } = deps;
  if (config.smtpUrl) worker.handle(MAIL_JOB, smtpSender(config.smtpUrl));
  worker.handle(MAINTENANCE_JOB, () => runAuthMaintenance(db));
  worker.handle(UPLOAD_CLEANUP_JOB, () => runUploadCleanup(db, config.uploadsDir));
  worker.handle(AUTOCLOSE_JOB, () => runAutoCloseJob(db));
  worker.handle(OPTIMIZE_JOB, () => runOptimize(db));
  worker.handle(OFFER_EXPIRY_JOB, () => runOfferExpiryJob(db));
  worker.handle(SLA_JOB, () => runSlaJob(db));
  worker.handle(SNOOZE_JOB, () => runSnoozeJob(db));
  worker.handle(BIN_PURGE_JOB, () => runBinPurgeJob(db, config.uploadsDir));
  worker.handle(WEBHOOK_JOB, (payload, job) => deliverWebhook(db, config, payload, job));
  worker.handle(WEBHOOK_CLEANUP_JOB, () => runWebhookCleanupJob(db));
}

/**
 * The recurring jobs book their first run when the server starts (each then books its next). Each
 * books only when none is queued: in one write transaction, so instances starting together (one
 * writer at a time on PostgreSQL too, db/postgres.ts) book one job of each kind between them, and
 * each job, leased by one worker, runs once whatever the number of instances.
 */
export async function scheduleRecurringJobs(db: Db): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await scheduleAuthMaintenance(trx);
    await scheduleUploadCleanup(trx);
    await scheduleAutoClose(trx);
    await scheduleOptimize(trx);
    await scheduleOfferExpiry(trx);
    await scheduleSlaCheck(trx);
    await scheduleSnoozeReturns(trx);
    await scheduleBinPurge(trx);
    await scheduleWebhookCleanup(trx);
  });
}
