import type { Db } from '../db/connect.js';
import { recordAudit } from '../admin/audit.js';
import { Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { refuse, type Checked } from '../lib/form.js';
import { can } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { filterProblems, type FilterProblem } from './filter-check.js';
import type { SavedView } from './schema.js';
import type { ViewInput } from './schemas.js';

/**
 * Who may do what with saved views. Personal views belong to their owner alone. Shared views appear
 * in every staff member's menu; only supervisors and admins create, change or delete them (any
 * shared view, not only their own), and each such change is audited.
 */
export function canManageView(actor: Actor, view: Pick<SavedView, 'owner_id' | 'shared'>): boolean {
  return can(actor, 'view.manage', view);
}

export function canShareViews(actor: Actor): boolean {
  return can(actor, 'views.share');
}

/** The views in this person's menu: their own, then the shared ones, each by name. */
export function listVisibleViews(db: Db, actor: Actor) {
  return db.selectFrom('saved_views').selectAll()
    .where((eb) => eb.or([eb('owner_id', '=', actor.id), eb('shared', '=', 1)]))
    .orderBy('shared').orderBy('name').orderBy('id').execute();
}

export async function findVisibleView(db: Db, actor: Actor, id: number): Promise<SavedView> {
  const view = await db.selectFrom('saved_views').selectAll().where('id', '=', id)
    .where((eb) => eb.or([eb('owner_id', '=', actor.id), eb('shared', '=', 1)])).executeTakeFirst();
  if (!view || !can(actor, 'views.save')) throw new NotFound();
  return view;
}

/**
 * Name, filter and sharing, checked all at once. A new or changed filter must parse as the list
 * parses it and may name nothing that no longer exists; an unchanged one is kept as it is, so a
 * view whose group was removed can still be renamed.
 */
async function checkInput(db: Db, actor: Actor, { value, errors }: Checked<ViewInput>, current?: SavedView) {
  const { name, query: parsed } = value;
  let query = current?.query ?? '';
  let gone: FilterProblem | undefined;
  if (parsed) {
    query = parsed.query;
    if (query !== current?.query) gone = (await filterProblems(db, parsed.filter)).find((p) => !p.key.endsWith('statusRetired'));
  }
  // Named in the message: "the group it filters by (#12) was removed".
  if (gone) throw new Invalid({ ...errors, query: 'views.saved.errors.references' }, gone.key, gone.params);
  const shared = value.shared ? 1 : 0;
  refuse(errors);
  if (shared === 1 && !canShareViews(actor)) throw new Forbidden('views.saved.errors.sharedByManagers');
  return { name, query, shared };
}

export async function saveView(db: Db, actor: Actor, input: Checked<ViewInput>): Promise<number> {
  if (!can(actor, 'views.save')) throw new NotFound();
  const values = await checkInput(db, actor, input);
  return db.transaction().execute(async (trx) => {
    const now = nowIso();
    const { id } = await trx.insertInto('saved_views').values({ owner_id: actor.id, ...values, created_at: now, updated_at: now })
      .returning('id').executeTakeFirstOrThrow();
    if (values.shared) await recordAudit(trx, actor, { action: 'saved_view.created', subjectType: 'saved_view', subjectId: id, after: values });
    return id;
  });
}

export async function updateView(db: Db, actor: Actor, id: number, input: Checked<ViewInput>): Promise<void> {
  const current = await findVisibleView(db, actor, id);
  if (!canManageView(actor, current)) throw new Forbidden('views.saved.errors.sharedByManagers');
  const values = await checkInput(db, actor, input, current);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('saved_views').set({ ...values, updated_at: nowIso() }).where('id', '=', id).execute();
    if (current.shared || values.shared) {
      const before = { name: current.name, query: current.query, shared: current.shared };
      await recordAudit(trx, actor, { action: 'saved_view.changed', subjectType: 'saved_view', subjectId: id, before, after: values });
    }
  });
}

export async function deleteView(db: Db, actor: Actor, id: number): Promise<void> {
  const current = await findVisibleView(db, actor, id);
  if (!canManageView(actor, current)) throw new Forbidden('views.saved.errors.sharedByManagers');
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('saved_views').where('id', '=', id).execute();
    if (current.shared) {
      await recordAudit(trx, actor, { action: 'saved_view.deleted', subjectType: 'saved_view', subjectId: id, before: { name: current.name, query: current.query } });
    }
  });
}
