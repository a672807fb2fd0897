import { recordAudit } from '../admin/audit.js';
import type { Db, Trx } from '../db/connect.js';
import { changeTicket } from '../kernel/index.js';
import { Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { can } from '../policy/can.js';
import { getSetting } from '../settings/settings.js';
import { findVisibleTicket } from '../tickets/queries.js';
import type { Actor } from '../users/actor.js';
import { findTag, findTagByName, tagsOfTicket, ticketsTagged } from './queries.js';

/** The admin setting: tags come only from the managed list (the admin page), none is made on a ticket. */
export const MANAGED_SETTING = 'tags.managed';

/**
 * Refuse tags the desk does not know when the admin restricted tags to the managed list. `field` is
 * the form field the refusal belongs to.
 */
export async function checkManagedTags(trx: Db, names: readonly string[], field: string): Promise<void> {
  if (names.length === 0 || (await getSetting(trx, MANAGED_SETTING)) !== '1') return;
  const known = new Set((await trx.selectFrom('tags').select('name').where('name', 'in', [...names]).execute()).map((r) => r.name));
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) throw new Invalid({ [field]: 'tags.errors.notManaged' }, 'tags.errors.notManaged', { tag: unknown.join(', ') });
}

/** Put a tag on a ticket, or take it off: one history line, through the kernel. */
export async function changeTicketTag(db: Db, actor: Actor, ticketId: number, change: { add?: string; remove?: string }): Promise<void> {
  if (!can(actor, 'ticket.tag')) throw new Forbidden();
  await db.transaction().execute(async (trx) => {
    if (!(await findVisibleTicket(trx, actor, ticketId))) throw new NotFound();
    if (change.add) await checkManagedTags(trx, [change.add], 'tag');
    await changeTicket(trx, actor, ticketId, {
      tags: { add: change.add ? [change.add] : [], remove: change.remove ? [change.remove] : [] }, history: [],
    });
  });
}

/** A tag on the managed list before any ticket carries it (admins). */
export async function createTag(db: Db, actor: Actor, name: string): Promise<void> {
  if (!can(actor, 'tags.manage')) throw new Forbidden();
  await db.transaction().execute(async (trx) => {
    if (await findTagByName(trx, name)) throw new Invalid({ name: 'tags.errors.exists' }, 'tags.errors.exists');
    const tag = await trx.insertInto('tags').values({ name }).returning('id').executeTakeFirstOrThrow();
    await recordAudit(trx, actor, { action: 'tag.created', subjectType: 'tag', subjectId: tag.id, after: { name } });
  });
}

/**
 * Rename a tag everywhere: every ticket carrying it gets a history line (old → new name) and its
 * `ticket.changed` event. A name another tag already has is refused: that is a merge.
 */
export async function renameTag(db: Db, actor: Actor, tagId: number, name: string): Promise<void> {
  if (!can(actor, 'tags.manage')) throw new Forbidden();
  await db.transaction().execute(async (trx) => {
    const tag = await findTag(trx, tagId);
    if (!tag) throw new NotFound();
    if (tag.name === name) return;
    if (await findTagByName(trx, name)) throw new Invalid({ name: 'tags.errors.existsMerge' }, 'tags.errors.existsMerge');
    await trx.updateTable('tags').set({ name }).where('id', '=', tagId).execute();
    const now = nowIso();
    for (const ticketId of await ticketsTagged(trx, tagId)) {
      await changeTicket(trx, actor, ticketId, { history: [{ kind: 'tag_renamed', from: tag.name, to: name }], at: now });
    }
    await recordAudit(trx, actor, { action: 'tag.renamed', subjectType: 'tag', subjectId: tagId, before: { name: tag.name }, after: { name } });
  });
}

/**
 * Merge a tag into another (which must exist): every ticket carrying it carries the other instead,
 * each with its history lines (removed, and added where it did not have it yet), then the tag goes.
 */
export async function mergeTag(db: Db, actor: Actor, tagId: number, into: string): Promise<number> {
  if (!can(actor, 'tags.manage')) throw new Forbidden();
  return db.transaction().execute(async (trx) => {
    const tag = await findTag(trx, tagId);
    if (!tag) throw new NotFound();
    const target = await findTagByName(trx, into);
    if (!target) throw new Invalid({ into: 'tags.errors.unknown' }, 'tags.errors.unknown');
    if (target.id === tag.id) throw new Invalid({ into: 'tags.errors.self' }, 'tags.errors.self');
    const tickets = await ticketsTagged(trx, tagId);
    await moveTickets(trx, actor, tickets, tag.name, target.name);
    await trx.deleteFrom('tags').where('id', '=', tagId).execute();
    await recordAudit(trx, actor, { action: 'tag.merged', subjectType: 'tag', subjectId: target.id, details: { merged: tag.name, into: target.name, tickets: tickets.length } });
    return tickets.length;
  });
}

async function moveTickets(trx: Trx, actor: Actor, tickets: number[], from: string, to: string): Promise<void> {
  const now = nowIso();
  for (const ticketId of tickets) await changeTicket(trx, actor, ticketId, { tags: { add: [to], remove: [from] }, history: [], at: now });
}

/**
 * The ticket's tags as a whole (the API's PATCH): what is new goes on, what is missing comes off, in
 * one change through the kernel. The names are normalised already (tags/schemas.ts).
 */
export async function setTicketTags(db: Db, actor: Actor, ticketId: number, names: readonly string[]): Promise<void> {
  if (!can(actor, 'ticket.tag')) throw new Forbidden();
  await db.transaction().execute(async (trx) => {
    if (!(await findVisibleTicket(trx, actor, ticketId))) throw new NotFound();
    await checkManagedTags(trx, names, 'tags');
    const current = await tagsOfTicket(trx, ticketId);
    const add = names.filter((name) => !current.includes(name));
    const remove = current.filter((name) => !names.includes(name));
    if (add.length > 0 || remove.length > 0) await changeTicket(trx, actor, ticketId, { tags: { add, remove }, history: [] });
  });
}
