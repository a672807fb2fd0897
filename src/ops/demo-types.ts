import type { Db } from '../db/connect.js';
import { nowIso } from '../lib/time.js';
import { defaultStatusId } from '../tickets/queries.js';

export interface DemoTypes {
  domainApproval: number;
  accountCreated: number;
  careCoordination: number;
  domainField: number;
  approvalField: number;
}

/**
 * The three ticket types of seed 000, behaving as the seed says through their attributes alone:
 * *Domain approval* has Domain and Domain Approved (Approved/Declined/Cleared, needed before Solved);
 * *Account created* is recorded straight as Closed; only *Care coordination request* comments reach
 * the requester (customer_facing). Created once; a second run finds them.
 */
export async function ensureSeedTypes(trx: Db): Promise<DemoTypes> {
  const now = nowIso();
  const groupId = (await trx.selectFrom('groups').select('id').orderBy('id').limit(1).executeTakeFirst())?.id ?? null;
  const field = async (key: string, values: Parameters<typeof insertField>[2]) =>
    (await trx.selectFrom('fields').select('id').where('key', '=', key).executeTakeFirst())?.id ?? insertField(trx, key, values, now);
  const domainField = await field('domain', { label: 'Domain', kind: 'text', required_for_agent: 1 });
  const approvalField = await field('domain_approved', {
    label: 'Domain Approved', kind: 'dropdown', required_before_category: 'solved',
    options: JSON.stringify([{ value: 'approved', label: 'Approved' }, { value: 'declined', label: 'Declined' }, { value: 'cleared', label: 'Cleared' }]),
  });
  const type = async (name: string, values: Record<string, unknown>, fields: number[]) => {
    const found = await trx.selectFrom('ticket_types').select('id').where('name', '=', name).executeTakeFirst();
    if (found) return found.id;
    const row = await trx.insertInto('ticket_types').values({ name, default_group_id: groupId, created_at: now, ...values })
      .returning('id').executeTakeFirstOrThrow();
    for (const [position, fieldId] of fields.entries()) {
      await trx.insertInto('ticket_type_fields').values({ type_id: row.id, field_id: fieldId, position }).execute();
    }
    return row.id;
  };
  return {
    domainApproval: await type('Domain approval', { description: 'A partner asks to register with their own domain.', customer_facing: 0, customer_can_choose: 0 }, [domainField, approvalField]),
    accountCreated: await type('Account created', { description: 'A record that an account was created; no action needed.', customer_facing: 0,
      customer_can_choose: 0, default_priority: 'low', initial_status_id: (await defaultStatusId(trx, 'closed')) ?? null }, []),
    careCoordination: await type('Care coordination request', { description: 'Ask our team to coordinate care for you.', customer_facing: 1 }, []),
    domainField,
    approvalField,
  };
}

async function insertField(trx: Db, key: string, values: { label: string; kind: 'text' | 'dropdown'; required_for_agent?: 0 | 1; required_before_category?: 'solved'; options?: string }, now: string) {
  return (await trx.insertInto('fields').values({ key, created_at: now, ...values }).returning('id').executeTakeFirstOrThrow()).id;
}
