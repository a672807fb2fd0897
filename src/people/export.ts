import { recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import type { MessageKind } from '../db/schema.js';
import { nowIso } from '../lib/time.js';
import { can } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { assertAdmin, loadPerson } from './people.js';

const MESSAGE_KINDS: readonly MessageKind[] = ['reply', 'chat', 'update', 'note'];

/**
 * Everything the desk holds about a person, as one JSON document (a GDPR access request): their
 * profile, the tickets they requested or are copied on, what they wrote (notes only for staff,
 * who write them) and their ratings. Never a password hash, a session or a link token.
 * The export itself is recorded in the audit log.
 */
export async function exportPerson(db: Db, actor: Actor, id: number) {
  assertAdmin(actor);
  return db.transaction().execute(async (trx) => {
    const person = await loadPerson(trx, id);
    const organization = person.organization_id === null ? null
      : await trx.selectFrom('organizations').select(['id', 'name']).where('id', '=', person.organization_id).executeTakeFirst() ?? null;
    // What the person could read on their tickets: a customer's export leaves out internal notes.
    const kinds = MESSAGE_KINDS.filter((kind) => can({ id: person.id, role: person.role }, 'message.see', { kind }));
    const [requested, copied, messages, ratings] = await Promise.all([
      trx.selectFrom('tickets').innerJoin('statuses', 'statuses.id', 'tickets.status_id')
        .select(['tickets.id', 'tickets.subject', 'statuses.name as status', 'tickets.priority', 'tickets.channel',
          'tickets.created_at', 'tickets.updated_at', 'tickets.solved_at', 'tickets.closed_at'])
        .where('tickets.requester_id', '=', id).orderBy('tickets.id').execute(),
      trx.selectFrom('ticket_ccs').innerJoin('tickets', 'tickets.id', 'ticket_ccs.ticket_id')
        .select(['tickets.id', 'tickets.subject']).where('ticket_ccs.user_id', '=', id).orderBy('tickets.id').execute(),
      trx.selectFrom('messages').select(['id', 'ticket_id', 'kind', 'via', 'body_text', 'created_at'])
        .where('author_id', '=', id).where('kind', 'in', kinds).orderBy('id').execute(),
      trx.selectFrom('ratings').select(['ticket_id', 'score', 'comment', 'created_at'])
        .where('user_id', '=', id).orderBy('id').execute(),
    ]);
    await recordAudit(trx, actor, { action: 'user.exported', subjectType: 'user', subjectId: id });
    return {
      exported_at: nowIso(),
      profile: {
        id: person.id, email: person.email, name: person.name, role: person.role, state: person.state,
        organization, is_org_manager: person.is_org_manager === 1, locale: person.locale, time_zone: person.time_zone,
        created_at: person.created_at, updated_at: person.updated_at, last_login_at: person.last_login_at,
      },
      tickets_requested: requested,
      tickets_copied_on: copied,
      messages,
      ratings,
    };
  });
}
