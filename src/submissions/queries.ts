import { untilConfigChanged } from '../db/change-cache.js';
import type { Db } from '../db/connect.js';
import type { Actor } from '../users/actor.js';

/** The help topics customers may choose (seed 002), in the operator's order (shared: do not change them). */
export const customerTopics = (db: Db) => topics(db, '');

const topics = untilConfigChanged((db: Db, _: '') => db.selectFrom('ticket_types')
  .select(['id', 'name', 'description', 'default_group_id', 'default_priority', 'initial_status_id', 'dispatch_policy', 'dispatch_count', 'members_needed'])
  .where('customer_can_choose', '=', 1).where('retired_at', 'is', null)
  .orderBy('position').orderBy('name').execute(), 1);

/** Seed 004: the customer's own active services and their organisation's (shared: do not change them). */
export const activeServices = (db: Db, actor: Actor) => servicesOf(db, `${actor.id}:${actor.organizationId ?? ''}`);

const servicesOf = untilConfigChanged((db: Db, whose: string) => {
  const [customerId, organizationId] = whose.split(':').map((part) => (part === '' ? null : Number(part)));
  return db.selectFrom('services').select(['id', 'name', 'provider_group_id'])
    .where('state', '=', 'active')
    .where((eb) => eb.or([
      eb('customer_id', '=', customerId!),
      ...(organizationId !== null && organizationId !== undefined ? [eb('organization_id', '=', organizationId)] : []),
    ]))
    .orderBy('name').execute();
}, 1000);

/** Every brand, by name (shared: do not change them). */
export const listBrands = (db: Db) => brands(db, '');

const brands = untilConfigChanged((db: Db, _: '') => db.selectFrom('brands').select(['id', 'name']).orderBy('name').execute(), 1);

/** The customer's own pending uploads among `ids`, to show them as already attached after a failed try. */
export function pendingUploadsOf(db: Db, uploaderId: number, ids: readonly number[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('attachments').select(['id', 'filename', 'size', 'content_type'])
    .where('id', 'in', [...ids]).where('uploader_id', '=', uploaderId).where('message_id', 'is', null)
    .orderBy('id').execute();
}
