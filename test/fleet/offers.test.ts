import { simpleParser } from 'mailparser';
import t from 'tap';
import { runOfferExpiry } from '../../src/fleet/expiry.js';
import { HOUR } from '../../src/lib/time.js';
import { makeTicket } from '../helpers/factories.js';
import { header } from '../helpers/smtp.js';
import { eventKinds, fleetDesk, loggedIn, member, STATUS, ticketRow } from './helpers.js';

t.test('a supervisor offers from the Fleet tab; the agent gets a mail and accepts from Offers (plain forms)', async (t) => {
  const desk = await fleetDesk(t);
  const { db, app, smtp, ticketId, alex, supervisor } = desk;
  const sam = await loggedIn(desk, supervisor.email, `/agent/tickets/${ticketId}?tab=fleet`);
  const tab = await sam.get(`/agent/tickets/${ticketId}?tab=fleet`);
  t.match(tab.body, 'Available employees');
  t.match(tab.body, 'Boiler &lt;b&gt;leaks&lt;/b&gt;', 'the subject is escaped');
  t.match(tab.body, /<tr data-user="\d+">\s*<td>Alex Agent[\s\S]*?UNSEEN/);

  const offered = await sam.post(`/agent/tickets/${ticketId}/fleet/offers`, { userId: String(alex.id) });
  t.equal(offered.statusCode, 303);
  t.equal(offered.headers.location, `/agent/tickets/${ticketId}?tab=fleet`);
  const after = await sam.get(String(offered.headers.location));
  t.match(after.body, 'Offer sent.');
  t.match(after.body, /id="fleet-requested"[\s\S]*Alex Agent[\s\S]*Withdraw offer[\s\S]*id="fleet-available"/);
  t.match((await member(db, ticketId, alex.id))!, { role: 'requested', offer_state: 'pending' });

  t.equal(await app.worker.drain(), 1, 'one offer mail');
  t.equal(smtp.received.length, 1, 'it arrived at the SMTP server');
  t.same(smtp.received[0]!.to, ['alex@desk.test']);
  t.equal(header(smtp.received[0]!.raw, 'Subject'), `[#${ticketId}] Ticket offer: Boiler <b>leaks</b>`);
  const mail = await simpleParser(smtp.received[0]!.raw);
  t.match(mail.text, 'You are offered this ticket');
  t.match(mail.text, /The offer expires at \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC \(UTC\)\./, 'the expiry as English writes it');
  t.match(mail.text, '/agent/offers');

  const agent = await loggedIn(desk, alex.email, '/agent/tickets');
  const menu = await agent.get('/agent/tickets');
  t.match(menu.body, /href="\/agent\/offers"><span>Offers<\/span> <span class="count">1<\/span>/, 'the side menu counts the offer');
  const inbox = await agent.get('/agent/offers');
  t.match(inbox.body, `#${ticketId} Boiler &lt;b&gt;leaks&lt;/b&gt;`);
  t.match(inbox.body, `action="/agent/offers/${ticketId}/acceptance"`);

  const accepted = await agent.post(`/agent/offers/${ticketId}/acceptance`);
  t.equal(accepted.statusCode, 303);
  t.match((await agent.get('/agent/offers')).body, 'Offer accepted: you are assigned to the ticket.');
  t.same(await ticketRow(db, ticketId), { status_id: STATUS.pending, assignee_id: alex.id }, 'in the accepted-offer status, Alex the assignee');
  t.match((await member(db, ticketId, alex.id))!, { role: 'assigned', offer_state: 'accepted', is_primary: 1 });
  t.same(await eventKinds(db, ticketId), ['offer', 'offer_accepted', 'status', 'assignee']);
  const list = await sam.get('/agent/tickets?view=all');
  t.match(list.body, 'Alex Agent', 'the list shows the primary assignee');
  const fleet = await sam.get(`/agent/tickets/${ticketId}?tab=fleet`);
  t.match(fleet.body, /id="fleet-assigned"[\s\S]*Alex Agent[\s\S]*UNSEEN[\s\S]*id="fleet-requested"/, 'assigned, but has not opened it');
  await agent.get(`/agent/tickets/${ticketId}`);
  t.match((await sam.get(`/agent/tickets/${ticketId}?tab=fleet`)).body, /id="fleet-assigned"[\s\S]*Alex Agent[\s\S]*>SEEN<[\s\S]*id="fleet-requested"/);
  t.match((await sam.get(`/agent/tickets/${ticketId}?tab=history`)).body, /Offered to[\s\S]*Offer accepted/);
});

t.test('a declined offer leaves the inbox and the person is available again', async (t) => {
  const desk = await fleetDesk(t);
  const { db, ticketId, bea, supervisor } = desk;
  const sam = await loggedIn(desk, supervisor.email, `/agent/tickets/${ticketId}?tab=fleet`);
  await sam.post(`/agent/tickets/${ticketId}/fleet/offers`, { userId: String(bea.id) });
  const agent = await loggedIn(desk, bea.email, '/agent/offers');
  t.equal((await agent.post(`/agent/offers/${ticketId}/decline`)).statusCode, 303);
  const inbox = await agent.get('/agent/offers');
  t.match(inbox.body, 'Offer declined.');
  t.match(inbox.body, 'No open offers for you.');
  t.match((await member(db, ticketId, bea.id))!, { role: 'requested', offer_state: 'declined' });
  t.same(await ticketRow(db, ticketId), { status_id: STATUS.new, assignee_id: null });
  t.match((await sam.get(`/agent/tickets/${ticketId}?tab=fleet`)).body, /id="fleet-available"[\s\S]*Bea Agent[\s\S]*Declined an earlier offer/);
  const again = await agent.post(`/agent/offers/${ticketId}/acceptance`);
  t.equal(again.statusCode, 409, 'a declined offer cannot be accepted afterwards');
  t.match(again.body, `You already declined the offer for ticket #${ticketId}.`);
});

t.test('a withdrawn offer cannot be accepted: 409 and the inbox says why', async (t) => {
  const desk = await fleetDesk(t);
  const { db, ticketId, alex, supervisor } = desk;
  const sam = await loggedIn(desk, supervisor.email, `/agent/tickets/${ticketId}?tab=fleet`);
  await sam.post(`/agent/tickets/${ticketId}/fleet/offers`, { userId: String(alex.id) });
  const agent = await loggedIn(desk, alex.email, '/agent/offers');
  t.equal((await sam.post(`/agent/tickets/${ticketId}/fleet/offers/${alex.id}/withdrawal`)).statusCode, 303);
  const refused = await agent.post(`/agent/offers/${ticketId}/acceptance`);
  t.equal(refused.statusCode, 409);
  t.match(refused.body, `The offer for ticket #${ticketId} was withdrawn: it can no longer be accepted.`);
  t.match(refused.body, 'No open offers for you.');
  t.same(await ticketRow(db, ticketId), { status_id: STATUS.new, assignee_id: null });
  t.same(await eventKinds(db, ticketId), ['offer', 'offer_withdrawn']);
  const twice = await sam.post(`/agent/tickets/${ticketId}/fleet/offers/${alex.id}/withdrawal`);
  t.equal(twice.statusCode, 409);
  t.match(twice.body, 'This offer is no longer open.');
});

t.test('offers expire: the job marks them, and an offer past its time is refused even before the job ran', async (t) => {
  const desk = await fleetDesk(t);
  const { db, ticketId, alex, bea, supervisor } = desk;
  await db.insertInto('settings').values({ key: 'offers.expiry_hours', value: '2' }).execute();
  const sam = await loggedIn(desk, supervisor.email, `/agent/tickets/${ticketId}?tab=fleet`);
  await sam.post(`/agent/tickets/${ticketId}/fleet/offers`, { userId: String(alex.id) });
  await sam.post(`/agent/tickets/${ticketId}/fleet/offers`, { userId: String(bea.id) });
  const offer = (await member(db, ticketId, alex.id))!;
  t.equal(Date.parse(offer.offer_expires_at!) - Date.parse(offer.offered_at!), 2 * HOUR, 'the setting decides the expiry');

  t.equal(await runOfferExpiry(db, Date.now() + HOUR), 0, 'nothing expires before its time');
  // Bea's offer runs out; the job has not run yet when she tries.
  await db.updateTable('ticket_members').set({ offer_expires_at: new Date(Date.now() - 1000).toISOString() }).where('user_id', '=', bea.id).execute();
  const agent = await loggedIn(desk, bea.email, '/agent/offers');
  const late = await agent.post(`/agent/offers/${ticketId}/acceptance`);
  t.equal(late.statusCode, 409);
  t.match(late.body, `The offer for ticket #${ticketId} has expired`);

  t.equal(await runOfferExpiry(db, Date.now() + 3 * HOUR), 2, 'a clock past expiry expires both');
  t.match((await member(db, ticketId, alex.id))!, { offer_state: 'expired' });
  t.same(await eventKinds(db, ticketId), ['offer', 'offer', 'offer_expired', 'offer_expired']);
  const alexClient = await loggedIn(desk, alex.email, '/agent/offers');
  t.match((await alexClient.get('/agent/offers')).body, 'No open offers for you.');
  t.equal((await alexClient.post(`/agent/offers/${ticketId}/acceptance`)).statusCode, 409);
  t.same(await ticketRow(db, ticketId), { status_id: STATUS.new, assignee_id: null });
});

t.test('agents see the Fleet tab read-only, and their forged posts are refused with 403', async (t) => {
  const desk = await fleetDesk(t);
  const { db, ticketId, alex, bea } = desk;
  const agent = await loggedIn(desk, alex.email, `/agent/tickets/${ticketId}?tab=fleet`);
  const tab = await agent.get(`/agent/tickets/${ticketId}?tab=fleet`);
  t.equal(tab.statusCode, 200);
  t.match(tab.body, 'Only supervisors and administrators can offer, assign or withdraw here.');
  t.notMatch(tab.body, '/fleet/offers"');
  for (const [url, form] of [[`/agent/tickets/${ticketId}/fleet/offers`, { userId: String(bea.id) }],
    [`/agent/tickets/${ticketId}/fleet/assignees`, { userId: String(alex.id) }],
    [`/agent/tickets/${ticketId}/fleet/offers/${bea.id}/withdrawal`, {}],
    [`/agent/tickets/${ticketId}/fleet/assignees/${alex.id}/removal`, {}]] as const) {
    t.equal((await agent.post(url, form)).statusCode, 403, url);
  }
  t.equal((await db.selectFrom('ticket_members').selectAll().execute()).length, 0, 'nothing written');
  const noCsrf = await agent.post(`/agent/offers/${ticketId}/acceptance`, { _csrf: 'forged' });
  t.equal(noCsrf.statusCode, 403, 'CSRF is checked on the inbox too');
});

t.test('assign and unassign from the tab; the primary passes on; bad input is refused', async (t) => {
  const desk = await fleetDesk(t);
  const { db, ticketId, alex, bea, supervisor, customer } = desk;
  const sam = await loggedIn(desk, supervisor.email, `/agent/tickets/${ticketId}?tab=fleet`);
  t.equal((await sam.post(`/agent/tickets/${ticketId}/fleet/assignees`, { userId: String(alex.id) })).statusCode, 303);
  t.equal((await sam.post(`/agent/tickets/${ticketId}/fleet/assignees`, { userId: String(bea.id) })).statusCode, 303);
  t.equal((await ticketRow(db, ticketId)).assignee_id, alex.id, 'the first assigned is the assignee');
  t.match((await member(db, ticketId, bea.id))!, { role: 'assigned', is_primary: 0 });

  const bad = await sam.post(`/agent/tickets/${ticketId}/fleet/offers`, { userId: String(customer.id) });
  t.equal(bad.statusCode, 422);
  t.match(bad.body, 'Choose an active employee who can see this ticket.');
  const dup = await sam.post(`/agent/tickets/${ticketId}/fleet/offers`, { userId: String(bea.id) });
  t.equal(dup.statusCode, 409);
  t.match(dup.body, 'This employee is already assigned to the ticket.');

  await sam.post(`/agent/tickets/${ticketId}/fleet/assignees/${alex.id}/removal`);
  t.equal((await ticketRow(db, ticketId)).assignee_id, bea.id, 'Bea takes over as assignee');
  t.equal(await member(db, ticketId, alex.id), undefined);
  t.match((await member(db, ticketId, bea.id))!, { role: 'assigned', is_primary: 1 });
  await sam.post(`/agent/tickets/${ticketId}/fleet/assignees/${bea.id}/removal`);
  t.equal((await ticketRow(db, ticketId)).assignee_id, null);
  t.equal((await db.selectFrom('ticket_members').selectAll().execute()).length, 0);
  t.same(await eventKinds(db, ticketId), ['assignee', 'member_added', 'assignee', 'assignee']);

  // The classic assignee picker keeps the fleet in step.
  await sam.post(`/agent/tickets/${ticketId}/assignment`, { assigneeId: String(alex.id) });
  t.match((await member(db, ticketId, alex.id))!, { role: 'assigned', is_primary: 1 });
});

t.test('a ticket needing one employee: the first acceptance wins, the other offers are withdrawn', async (t) => {
  const desk = await fleetDesk(t);
  const { db, ticketId, alex, bea, supervisor, customer } = desk;
  const sam = await loggedIn(desk, supervisor.email, `/agent/tickets/${ticketId}?tab=fleet`);
  await sam.post(`/agent/tickets/${ticketId}/fleet/offers`, { userId: String(alex.id) });
  await sam.post(`/agent/tickets/${ticketId}/fleet/offers`, { userId: String(bea.id) });
  const beaClient = await loggedIn(desk, bea.email, '/agent/offers');
  const alexClient = await loggedIn(desk, alex.email, '/agent/offers');
  t.equal((await beaClient.post(`/agent/offers/${ticketId}/acceptance`)).statusCode, 303);
  t.match((await member(db, ticketId, alex.id))!, { offer_state: 'withdrawn' });
  const late = await alexClient.post(`/agent/offers/${ticketId}/acceptance`);
  t.equal(late.statusCode, 409);
  t.same(await ticketRow(db, ticketId), { status_id: STATUS.pending, assignee_id: bea.id });

  // A type needing two: both acceptances count, the second joins beside the assignee.
  await db.updateTable('ticket_types').set({ members_needed: 2 }).execute();
  // A second ticket like the first, new and unassigned.
  const id = await makeTicket(db, { requesterId: customer.id, subject: 'Boiler <b>leaks</b>', groupId: 1, statusId: STATUS.new });
  await sam.get(`/agent/tickets/${id}?tab=fleet`);
  await sam.post(`/agent/tickets/${id}/fleet/offers`, { userId: String(alex.id) });
  await sam.post(`/agent/tickets/${id}/fleet/offers`, { userId: String(bea.id) });
  await alexClient.get('/agent/offers');
  t.equal((await alexClient.post(`/agent/offers/${id}/acceptance`)).statusCode, 303);
  await beaClient.get('/agent/offers');
  t.equal((await beaClient.post(`/agent/offers/${id}/acceptance`)).statusCode, 303);
  t.same(await ticketRow(db, id), { status_id: STATUS.pending, assignee_id: alex.id });
  t.match((await member(db, id, bea.id))!, { role: 'assigned', offer_state: 'accepted', is_primary: 0 });
});
