import type { Test } from 'tap';
import type { Db } from '../../src/db/connect.js';
import type { Actor } from '../../src/users/actor.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';

/** A fresh desk with an admin logged in (on the statuses page, so the client holds its CSRF token). */
export async function adminDesk(t: Test) {
  const desk = await buildTestDesk(t);
  const user = await makeUser(desk.db, 'admin', { name: 'Ada Admin' });
  const admin = new Client(desk.app);
  await admin.login(user.email, PASSWORD);
  await admin.get('/admin/statuses');
  const actor: Actor = { id: user.id, email: user.email, name: user.name, role: 'admin', organizationId: null, isOrgManager: false, locale: 'en', timeZone: null };
  const customer = await makeUser(desk.db, 'customer');
  return { ...desk, admin, actor, user, customer };
}

export function activeStatuses(db: Db) {
  return db.selectFrom('statuses').selectAll().where('retired_at', 'is', null).orderBy('position').execute();
}

export async function statusId(db: Db, name: string): Promise<number> {
  const row = await db.selectFrom('statuses').select('id').where('name', '=', name).where('retired_at', 'is', null).executeTakeFirstOrThrow();
  return row.id;
}

/** `perStatus` tickets in every active status; returns ticket id → the status name it started in. */
export async function ticketsInEveryStatus(db: Db, requesterId: number, perStatus = 2): Promise<Map<number, string>> {
  const started = new Map<number, string>();
  for (const status of await activeStatuses(db)) {
    const ids = await makeTickets(db, perStatus, { requesterId, statusId: status.id, subject: `In ${status.name}` });
    for (const id of ids) started.set(id, status.name);
  }
  return started;
}

/** What a browser would submit for the page's selects: each one's selected option. */
export function selectedValues(html: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const select of html.matchAll(/<select[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const selected = /<option value="([^"]*)" selected>/.exec(select[2]!) ?? /<option value="([^"]*)"/.exec(select[2]!);
    if (selected) values[select[1]!] = selected[1]!;
  }
  return values;
}

export async function auditActions(db: Db) {
  return db.selectFrom('audit_log').selectAll().orderBy('id').execute();
}
