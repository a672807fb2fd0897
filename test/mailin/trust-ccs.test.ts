import t from 'tap';
import { deskWithTicket, messagesOf } from './helpers.js';
import { ccsOf, CHANNELS, deliverer, dmarcPass, forged, overChannel, trustMta } from './trust-helpers.js';

// Issue 15, point 9: one stranger's mail with thousands of Cc's must not make thousands of accounts.

const crowd = (n: number) => Array.from({ length: n }, (_, i) => `cc${String(i).padStart(4, '0')}@crowd.test`);

async function invitedFromCrowd(db: Awaited<ReturnType<typeof deskWithTicket>>['db']): Promise<number> {
  return (await db.selectFrom('users').select('id').where('email', 'like', '%@crowd.test').execute()).length;
}

async function ticketOf(db: Awaited<ReturnType<typeof deskWithTicket>>['db'], requester: string): Promise<number | undefined> {
  const row = await db.selectFrom('tickets').innerJoin('users', 'users.id', 'tickets.requester_id').select('tickets.id')
    .where('users.email', '=', requester).orderBy('tickets.id', 'desc').executeTakeFirst();
  return row?.id;
}

for (const channel of CHANNELS) {
  t.test(`${channel}: an unverified stranger's 3,000 Cc's give the new ticket at most the cap of CCs`, overChannel(channel), async (t) => {
    const desk = await deskWithTicket(t);
    const { db } = desk;
    const deliver = await deliverer(t, desk, channel);
    await deliver(forged({ from: 'Mallory <mallory@evil.test>', cc: crowd(3000), subject: 'Hello everyone', body: 'Spam for all.' }));
    const ticketId = await ticketOf(db, 'mallory@evil.test');
    t.ok(ticketId, 'the stranger may still open a ticket (the desk takes new customers)');
    t.equal(await invitedFromCrowd(db), 5, 'five invited accounts, the default cap');
    t.same(await ccsOf(db, ticketId!), crowd(5));
    const note = (await messagesOf(db, ticketId!)).find((m) => m.match_reason === 'refused-ccs');
    t.equal(note?.kind, 'note');
    t.match(note?.body_text, /adds at most 5 to a ticket: cc0005@crowd\.test, .*cc0019@crowd\.test and 2980 more/, 'agents see who was left out');

    // The admin lowers the cap; a verified sender is not held to it.
    await db.insertInto('settings').values({ key: 'mailin.unverified_cc_cap', value: '2' }).execute();
    await deliver(forged({ from: 'robin@other.test', cc: crowd(10).slice(5), subject: 'Second', body: 'Hi all.' }));
    t.equal(await invitedFromCrowd(db), 7, 'two more');
    await trustMta(db);
    await deliver(forged({ from: 'sam@verified.test', cc: crowd(3000), subject: 'Team list', body: 'For my team.', verdict: dmarcPass('verified.test') }));
    t.equal((await ccsOf(db, (await ticketOf(db, 'sam@verified.test'))!)).length, 20, 'a verified sender adds up to 20 a mail, as before');
  });

  t.test(`${channel}: when only known customers may write, a Cc makes no account at all`, overChannel(channel), async (t) => {
    const desk = await deskWithTicket(t);
    const { db } = desk;
    await db.insertInto('settings').values({ key: 'mailin.allow_new_customers', value: '0' }).execute();
    const deliver = await deliverer(t, desk, channel);
    await deliver(forged({ from: 'mallory@evil.test', cc: crowd(30), subject: 'Hello', body: 'Spam.' }));
    t.equal(await ticketOf(db, 'mallory@evil.test'), undefined, 'the stranger opens nothing');
    await deliver(forged({ from: 'casey@customer.test', cc: crowd(30), subject: 'A new problem', body: 'The scanner too.' }));
    const ticketId = await ticketOf(db, 'casey@customer.test');
    t.not(ticketId, desk.ticketId, 'a known customer opens a ticket');
    t.equal(await invitedFromCrowd(db), 0, 'but brings no new accounts');
    t.same(await ccsOf(db, ticketId!), []);
  });
}
