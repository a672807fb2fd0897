import type { Config } from '../config.js';
import type { Db } from '../db/connect.js';
import { rolesOn } from '../policy/can.js';
import { getSetting, putSetting } from '../settings/settings.js';

/** Stored once an admin hides the checklist; absent means it is still shown. */
export const DISMISSED_KEY = 'setup.checklist_dismissed';

export interface SetupStep { key: string; href: string; done: boolean }

/**
 * "Set up your desk": each step ticks itself off from the data, so the list never asks for
 * something already done. A fresh desk has one seeded ticket type and one admin.
 */
export async function setupSteps(db: Db, config: Config): Promise<SetupStep[]> {
  const types = await db.selectFrom('ticket_types').select('id').limit(2).execute();
  const staff = await db.selectFrom('users').select('id').where('role', 'in', rolesOn('staff')).limit(2).execute();
  const address = await db.selectFrom('support_addresses').select('id').limit(1).executeTakeFirst();
  const helpText = await getSetting(db, 'portal.help_text');
  const portalText = await db.selectFrom('texts').select('key').where('key', 'like', 'portal.%').limit(1).executeTakeFirst();
  return [
    { key: 'types', href: '/admin/types', done: types.length > 1 },
    { key: 'agents', href: '/admin/users/new', done: staff.length > 1 },
    { key: 'mailOut', href: '/admin/outbox', done: config.smtpUrl !== null },
    { key: 'mailIn', href: '/admin/mail', done: address !== undefined },
    { key: 'portal', href: '/admin/settings', done: Boolean(helpText) || portalText !== undefined },
  ];
}

/** The checklist an admin sees, or null once dismissed or complete. */
export async function setupChecklist(db: Db, config: Config): Promise<SetupStep[] | null> {
  if ((await getSetting(db, DISMISSED_KEY)) === '1') return null;
  const steps = await setupSteps(db, config);
  return steps.every((step) => step.done) ? null : steps;
}

export async function dismissChecklist(db: Db): Promise<void> {
  await putSetting(db, DISMISSED_KEY, '1');
}
