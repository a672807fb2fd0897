import { sql, type SqlBool } from 'kysely';
import { recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import { erasePersonFromTickets, erasedValue } from '../kernel/index.js';
import { Conflict } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import type { Actor } from '../users/actor.js';
import { assertAdmin, assertAdminRemains, ERASED_DOMAIN, isErased, loadPerson } from './people.js';
import { likePattern } from './queries.js';

/**
 * Erase a person (GDPR): the record stays, because their messages stay (as written: the bodies are
 * the conversation, and a signature in them is not rewritten), but it no longer says who they were:
 * "Deleted user #id" at an address that cannot receive mail; no password, sessions or links; no
 * organisation, groups or CCs; disabled. Old audit entries, ticket history and the event stream's
 * copies of it lose their address and name too (kernel/people.ts), and mail queued or kept for them
 * is deleted. The new audit entry names neither.
 */
export async function erasePerson(db: Db, actor: Actor, id: number): Promise<void> {
  assertAdmin(actor);
  await db.transaction().execute(async (trx) => {
    const person = await loadPerson(trx, id);
    if (isErased(person)) throw new Conflict('admin.users.errors.erased');
    await assertAdminRemains(trx, person);
    const name = `Deleted user #${person.id}`;
    const email = `deleted-${person.id}@${ERASED_DOMAIN}`;

    await trx.updateTable('users').set({
      name, email, password_hash: null, state: 'disabled', organization_id: null, is_org_manager: 0,
      time_zone: null, notify_prefs: '{}', ui_prefs: '{}', last_login_at: null, updated_at: nowIso(),
    }).where('id', '=', id).execute();
    await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
    await trx.deleteFrom('user_tokens').where('user_id', '=', id).execute();
    await trx.deleteFrom('two_factor').where('user_id', '=', id).execute();
    await trx.deleteFrom('two_factor_recovery').where('user_id', '=', id).execute();
    await trx.deleteFrom('two_factor_devices').where('user_id', '=', id).execute();
    await trx.deleteFrom('two_factor_challenges').where('user_id', '=', id).execute();
    await trx.deleteFrom('known_devices').where('user_id', '=', id).execute();
    await trx.deleteFrom('group_members').where('user_id', '=', id).execute();
    await trx.deleteFrom('login_attempts').where('email', '=', person.email.toLowerCase()).execute();
    await trx.deleteFrom('login_locks').where('email', '=', person.email.toLowerCase()).execute();
    await trx.deleteFrom('jobs').where('kind', '=', 'mail').where(contains('payload', person.email)).execute();

    const erasure = { person, erased: { email, name } };
    await erasePersonFromTickets(trx, actor, erasure);
    const swap = erasedValue(erasure);
    const audits = await trx.selectFrom('audit_log').select(['id', 'details'])
      .where((eb) => eb.or([contains('details', person.email), contains('details', person.name)])).execute();
    for (const row of audits) {
      const details = JSON.stringify(JSON.parse(row.details), (_key, value: unknown) => typeof value === 'string' ? swap(value) : value);
      if (details !== row.details) await trx.updateTable('audit_log').set({ details }).where('id', '=', row.id).execute();
    }
    await recordAudit(trx, actor, {
      action: 'user.erased', subjectType: 'user', subjectId: id,
      before: { role: person.role, state: person.state }, after: { name, email, state: 'disabled' },
    });
  });
}

/** A candidate filter (LIKE ignores case); the exact replacement is done in code. */
function contains(column: 'payload' | 'details', text: string) {
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${likePattern(text)} escape '\\'`;
}
