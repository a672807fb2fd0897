import t from 'tap';
import { ratingToken } from '../../src/notify/rating-links.js';
import { Client } from '../helpers/client.js';
import { notifyDesk } from './helpers.js';

async function solvedMail(t: Parameters<typeof notifyDesk>[0]) {
  const desk = await notifyDesk(t);
  await desk.staff.post(`/agent/tickets/${desk.id}/status`, { statusId: '4' });
  const mails = await desk.delivered();
  t.same(mails.map((m) => m.to).flat(), ['cora@example.test'], 'the requester is asked, not the CC');
  const mail = mails[0]!;
  const links = [...mail.parsed.text!.matchAll(/(http\S+\/rate\/\S+)/g)].map((m) => m[1]!);
  const path = (url: string) => new URL(url).pathname;
  return { ...desk, mail, good: path(links[0]!), bad: path(links[1]!) };
}

const ratings = (desk: { db: Awaited<ReturnType<typeof notifyDesk>>['db'] }) =>
  desk.db.selectFrom('ratings').select(['ticket_id', 'user_id', 'score', 'comment']).execute();

t.test('the solved mail\'s links only show a page; its button records the rating, without a login', async (t) => {
  const desk = await solvedMail(t);
  const { mail, good, bad, id, cora } = desk;
  t.match(mail.parsed.text, 'How did we do?');
  t.match(String(mail.parsed.html), `href="${desk.config.baseUrl}${good}"`);
  t.equal(mail.header('Auto-Submitted'), 'auto-generated');

  const scanner = new Client(desk.app);
  const page = await scanner.get(good);
  t.equal(page.statusCode, 200);
  t.match(page.body, `#${id} Printer offline`);
  t.match(page.body, 'Rate as Good');
  await scanner.get(bad);
  t.same(await ratings(desk), [], 'following the links (as a mail scanner does) changes nothing');
  t.equal((await desk.db.selectFrom('ticket_events').select('id').where('kind', '=', 'rating').execute()).length, 0);

  const visitor = new Client(desk.app);
  const res = await visitor.post(good, { comment: 'Quick and friendly' });
  t.equal(res.statusCode, 303);
  t.same(await ratings(desk), [{ ticket_id: id, user_id: cora.id, score: 'good', comment: 'Quick and friendly' }]);
  const thanks = await visitor.get(String(res.headers.location));
  t.match(thanks.body, 'Thank you: your rating is Good.');

  await visitor.post(bad, {});
  t.same((await ratings(desk)).map((r) => r.score), ['bad'], 'the requester may change their mind, as in the portal');
});

t.test('a forged, borrowed or expired link is refused with a page that says so', async (t) => {
  const desk = await solvedMail(t);
  const { good, id, cora, dan, config } = desk;
  const visitor = new Client(desk.app);

  const forged = good.replace('.good.', '.bad.');
  for (const res of [await visitor.get(forged), await visitor.post(forged, {})]) {
    t.equal(res.statusCode, 400);
    t.match(res.body, 'This rating link is not valid');
  }
  const dansLink = `/rate/${ratingToken('not-our-secret', { ticketId: id, userId: dan.id, score: 'bad' })}`;
  t.equal((await visitor.post(dansLink, {})).statusCode, 400, 'signed with another key');

  const expired = `/rate/${ratingToken(config.secretKey, { ticketId: id, userId: cora.id, score: 'bad' }, Date.now() - 1000)}`;
  for (const res of [await visitor.get(expired), await visitor.post(expired, {})]) {
    t.equal(res.statusCode, 410);
    t.match(res.body, 'This rating link has expired.');
  }
  t.same(await ratings(desk), []);
});

t.test('the rules of the portal still hold: a reopened ticket cannot be rated from an old mail', async (t) => {
  const desk = await solvedMail(t);
  await desk.staff.post(`/agent/tickets/${desk.id}/status`, { statusId: '2' });
  const res = await new Client(desk.app).post(desk.good, {});
  t.equal(res.statusCode, 422);
  t.match(res.body, 'Only a solved ticket can be rated.');
  t.same(await ratings(desk), []);
});

t.test('a customer who solves their own ticket is not mailed about it', async (t) => {
  const { portal, id, delivered } = await notifyDesk(t);
  await portal.post(`/portal/tickets/${id}/solve`);
  t.same(await delivered(), []);
});
