// The reports' test desk: seven tickets written through the kernel at fixed times in Berlin, with the
// consumers run after each write (reports.test.ts tells the story of each).
import type { Test } from 'tap';
import type { Db } from '../../src/db/connect.js';
import { addMessage, addRating, changeTicket, createTicket } from '../../src/kernel/index.js';
import { putSetting } from '../../src/settings/settings.js';
import { toActor, type Actor } from '../../src/users/actor.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

export const RealDate = Date;
export const HOUR = 3600_000;

/** Run `write` with the clock at `iso`: the kernel stamps rows and events with `new Date()`. */
export async function at<T>(iso: string, write: () => Promise<T>): Promise<T> {
  const fixed = RealDate.parse(iso);
  class Frozen extends RealDate {
    constructor(...args: unknown[]) {
      super(...((args.length === 0 ? [fixed] : args) as [number]));
    }
    static override now() { return fixed; }
  }
  globalThis.Date = Frozen as DateConstructor;
  try {
    return await write();
  } finally {
    globalThis.Date = RealDate;
  }
}

export const plus = (iso: string, ms: number) => new RealDate(RealDate.parse(iso) + ms).toISOString();

export async function actorOf(db: Db, id: number): Promise<Actor> {
  return toActor(await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
}

export interface Plan {
  subject: string;
  at: string;
  channel?: 'portal' | 'agent';
  group?: number | null;
  assignee?: Actor | null;
  replyAfter?: number;
  solveAfter?: number;
  rating?: 'good' | 'bad';
  tags?: string[];
}

/**
 * Seven tickets in Berlin (UTC+1 in March 2026), the range 10–14 March:
 * T5 before it (open), T1 T2 on the 10th (T2 at 23:30 local), T3 on the 12th (00:30 local, the 11th
 * in UTC), T4 on the 12th, T6 at 23:59 on the 14th (in), T7 at 00:00 on the 15th (out).
 * SLA policy: first reply 2 h, resolution 10 h, in calendar hours (a ticket opened by staff has no
 * first-reply target).
 */
export async function reportDesk(t: Test) {
  const desk = await buildTestDesk(t);
  const { db, app } = desk;
  await putSetting(db, 'site_time_zone', 'Europe/Berlin');
  await db.insertInto('sla_policies').values({ name: 'Everyone', position: 1, conditions: '{}', first_reply_minutes: 120, first_reply_business: 0,
    next_reply_minutes: null, resolution_minutes: 600, resolution_business: 0, calendar_id: null, updated_at: '2026-03-01T00:00:00.000Z' }).execute();
  const [tier1, tier2] = await db.insertInto('groups').values([{ name: 'Tier 1', created_at: '2026-03-01T00:00:00.000Z' }, { name: 'Tier 2', created_at: '2026-03-01T00:00:00.000Z' }])
    .returning('id').execute();
  const supervisor = await makeUser(db, 'supervisor', { name: 'Sam Supervisor' });
  const ann = await actorOf(db, (await makeUser(db, 'agent', { name: 'Ann Agent' })).id);
  const bob = await actorOf(db, (await makeUser(db, 'agent', { name: 'Bob Agent' })).id);
  const cora = await actorOf(db, (await makeUser(db, 'customer', { name: 'Cora Customer' })).id);

  // The consumers run after each write, as the worker does moments after a request: the SLA clocks
  // read the ticket as it stands when they handle an event.
  const write = async <T>(iso: string, run: () => Promise<T>): Promise<T> => {
    const result = await at(iso, run);
    await app.worker.consume();
    return result;
  };
  const make = async (plan: Plan) => {
    const author = plan.channel === 'agent' ? plan.assignee! : cora;
    const { ticketId } = await write(plan.at, () => db.transaction().execute((trx) => createTicket(trx, author, {
      channel: plan.channel ?? 'portal', subject: plan.subject, typeId: 1, brandId: 1, statusId: 1, priority: 'normal', visibility: 'public',
      requester: { id: cora.id, organizationId: null }, groupId: plan.group ?? null, message: { kind: 'reply', bodyText: `About ${plan.subject}` },
    })));
    if (plan.assignee || plan.tags) {
      await write(plus(plan.at, 60_000), () => db.transaction().execute((trx) => changeTicket(trx, plan.assignee ?? ann, ticketId, {
        set: plan.assignee ? { assignee_id: plan.assignee.id } : {}, tags: plan.tags ? { add: plan.tags } : undefined,
        history: plan.assignee ? [{ kind: 'assignee', from: null, to: plan.assignee.name }] : [],
      })));
    }
    if (plan.replyAfter !== undefined) {
      await write(plus(plan.at, plan.replyAfter), () => db.transaction().execute((trx) =>
        addMessage(trx, plan.assignee!, ticketId, { kind: 'reply', bodyText: 'On it.', firstResponse: true })));
    }
    if (plan.solveAfter !== undefined) {
      const when = plus(plan.at, plan.solveAfter);
      await write(when, () => db.transaction().execute((trx) => changeTicket(trx, plan.assignee!, ticketId, {
        set: { status_id: 4, solved_at: when }, history: [{ kind: 'status', from: 'New', to: 'Solved' }],
      })));
    }
    if (plan.rating) {
      const when = plus(plan.at, (plan.solveAfter ?? 0) + HOUR);
      await write(when, () => db.transaction().execute((trx) => addRating(trx, cora, ticketId, { score: plan.rating!, comment: '' }, when)));
    }
    return ticketId;
  };

  const ids = {
    t5: await make({ subject: 'before the range', at: '2026-03-09T22:59:00.000Z' }),
    t1: await make({ subject: 'printer', at: '2026-03-10T09:00:00.000Z', group: tier1!.id, assignee: ann, replyAfter: HOUR, solveAfter: 4 * HOUR, rating: 'good', tags: ['vip'] }),
    t2: await make({ subject: 'late evening', at: '2026-03-10T22:30:00.000Z', group: tier1!.id, assignee: ann, replyAfter: 3 * HOUR, solveAfter: 24 * HOUR, rating: 'bad' }),
    t3: await make({ subject: 'just after midnight', at: '2026-03-11T23:30:00.000Z', group: tier2!.id, assignee: bob, replyAfter: 2 * HOUR }),
    t4: await make({ subject: '=SUM(A1) "quoted", too', at: '2026-03-12T12:00:00.000Z', channel: 'agent', assignee: bob, replyAfter: HOUR / 2, solveAfter: 10 * HOUR, rating: 'good', tags: ['vip'] }),
    t6: await make({ subject: 'last minute', at: '2026-03-14T22:59:00.000Z', group: tier2!.id }),
    t7: await make({ subject: 'next day', at: '2026-03-14T23:00:00.000Z', group: tier2!.id }),
  };
  await app.worker.consume();
  const login = async (email: string) => {
    const client = new Client(app);
    await client.login(email, PASSWORD);
    return client;
  };
  const customerEmail = (await db.selectFrom('users').select('email').where('id', '=', cora.id).executeTakeFirstOrThrow()).email;
  return {
    ...desk, ids, ann, bob, cora, tier1: tier1!.id, tier2: tier2!.id,
    boss: await login(supervisor.email), annClient: await login(ann.email), customer: await login(customerEmail),
  };
}

export const RANGE = { from: '2026-03-10', to: '2026-03-14' };
export const QUERY = 'from=2026-03-10&to=2026-03-14';
export const MIN = 60;
