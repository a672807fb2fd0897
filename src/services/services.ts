import { changedFields, recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import { Forbidden, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { refuse, type Checked } from '../lib/form.js';
import type { FieldErrors } from '../lib/errors.js';
import { can } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { checkService } from './check.js';
import { findService, serviceChoices } from './queries.js';
import type { ServiceInput } from './schemas.js';

function requireAdmin(actor: Actor): void {
  if (!can(actor, 'services.manage')) throw new Forbidden();
}

async function checkForm(db: Db, input: Checked<ServiceInput>) {
  const errors: FieldErrors = {};
  const values = await checkService(db, input, await serviceChoices(db), errors);
  refuse(errors);
  return values;
}

export async function createService(db: Db, actor: Actor, input: Checked<ServiceInput>): Promise<number> {
  requireAdmin(actor);
  const values = await checkForm(db, input);
  return db.transaction().execute(async (trx) => {
    const row = await trx.insertInto('services').values({ ...values, created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
    await recordAudit(trx, actor, { action: 'service.created', subjectType: 'service', subjectId: row.id, after: values });
    return row.id;
  });
}

/** Editing is also how a service is switched off: an ended service is no longer offered in the portal. */
export async function updateService(db: Db, actor: Actor, id: number, input: Checked<ServiceInput>): Promise<void> {
  requireAdmin(actor);
  const values = await checkForm(db, input);
  await db.transaction().execute(async (trx) => {
    const before = await findService(trx, id);
    if (!before) throw new NotFound();
    const diff = changedFields(before, values);
    if (Object.keys(diff.after).length === 0) return;
    await trx.updateTable('services').set(values).where('id', '=', id).execute();
    await recordAudit(trx, actor, { action: 'service.updated', subjectType: 'service', subjectId: id, ...diff });
  });
}
