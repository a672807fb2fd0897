import t from 'tap';
import { Catalogue } from '../src/i18n.js';
import { formatDate, formatTime } from '../src/lib/format.js';
import { messageArguments } from '../src/lib/icu.js';
import { buildTestDesk } from './helpers/app.js';
import { Client } from './helpers/client.js';
import { makeTickets, makeUser, PASSWORD } from './helpers/factories.js';

t.test('the catalogue ships English and German, and German keeps every placeholder of the English text', async (t) => {
  const catalogue = new Catalogue();
  t.same(catalogue.locales(), ['en', 'de']);
  const de = catalogue.translator('de');
  t.equal(de('portal.submit.title'), 'Ticket einreichen');
  t.equal(de('admin.texts.title'), 'Texte');
});

t.test('every shipped language has every English key, each a valid message with the same arguments', async (t) => {
  const catalogue = new Catalogue();
  const keys = catalogue.keys();
  t.ok(keys.length > 1000, 'the whole catalogue is checked');
  const names = (text: string) => [...messageArguments(text).keys()].sort();
  for (const locale of catalogue.locales()) {
    const missing = keys.filter((key) => catalogue.defaultText(key, locale) === undefined);
    t.same(missing, [], `${locale} lacks no key`);
    const wrong = keys.filter((key) => {
      try {
        return names(catalogue.defaultText(key, locale)!).join() !== names(catalogue.defaultText(key, 'en')!).join();
      } catch {
        return true;
      }
    });
    t.same(wrong, [], `${locale}: every text parses and reads the same arguments as the English one`);
  }
});

t.test('counts pick the plural form of the language, for 0, 1 and 2', async (t) => {
  const catalogue = new Catalogue();
  const en = catalogue.translator('en');
  const de = catalogue.translator('de');
  t.same([0, 1, 2].map((count) => en('bulk.updated', { count })), ['0 tickets updated.', '1 ticket updated.', '2 tickets updated.']);
  t.same([0, 1, 2].map((count) => de('bulk.updated', { count })), ['0 Tickets geändert.', '1 Ticket geändert.', '2 Tickets geändert.']);
  t.equal(en('admin.users.counts', { tickets: 1, messages: 0, ccs: 2 }), '1 ticket requested, 0 messages written, copied on 2 tickets');
  t.equal(de('admin.users.counts', { tickets: 1, messages: 0, ccs: 2 }), '1 Ticket angefragt, 0 Nachrichten geschrieben, in Kopie bei 2 Tickets');
  t.equal(en('attachments.size.bytes', { n: 1 }), '1 byte');
  t.equal(de('attachments.size.bytes', { n: 1000 }), '1.000 Bytes', 'the number as the language writes it');
  t.equal(en('attachments.size.bytes', { n: 1000 }), '1,000 bytes');
  t.equal(en('mail.reply.wrote'), '{name} wrote:', 'a value not given shows as its placeholder, as before');
});

t.test('an operator\'s override that is not a valid message gives way to the shipped text', async (t) => {
  const catalogue = new Catalogue();
  catalogue.setOverrides([
    { key: 'bulk.updated', locale: 'en', value: '{count, plural, one {# case done.}' },
    { key: 'portal.home.title', locale: 'en', value: 'Our corner' },
  ]);
  const en = catalogue.translator('en');
  t.equal(en('bulk.updated', { count: 2 }), '2 tickets updated.');
  t.equal(en('portal.home.title'), 'Our corner', 'a good override is used');
  t.equal(catalogue.translator('de')('portal.home.title'), 'Meine Seite', 'in its language only');
});

t.test('dates and times are written in the viewer\'s language, in their own time zone', async (t) => {
  t.equal(formatTime('2026-03-02T14:30:00Z', 'Europe/Berlin', 'en'), '2 Mar 2026, 15:30 CET', 'English as before');
  t.equal(formatTime('2026-03-02T14:30:00Z', 'Europe/Berlin', 'de'), '2. März 2026, 15:30 MEZ');
  t.equal(formatDate('2025-03-01', 'de'), '1. März 2025');

  const { app, db } = await buildTestDesk(t);
  const customer = await makeUser(db, 'customer', { name: 'Dora' });
  await db.updateTable('users').set({ locale: 'de', time_zone: 'Europe/Berlin' }).where('id', '=', customer.id).execute();
  const [id] = await makeTickets(db, 1, { requesterId: customer.id, subject: 'Drucker', at: '2026-03-02T14:30:00.000Z' });
  const client = new Client(app);
  await client.login(customer.email, PASSWORD);
  const page = await client.get(`/portal/tickets/${id}`);
  t.equal(page.statusCode, 200);
  t.match(page.body, /<time datetime="2026-03-02T14:30:00.000Z" title="2. März 2026, 15:30 MEZ">2. März( 2026)?<\/time>/, 'relative, with the exact time in the title');
  const mail = await app.mail.render('emails/offer-text', {
    t: app.catalogue.translator('de'), person: { name: 'Dora' }, ticket: { id: 7, subject: 'Drucker' }, expiresAt: '2026-03-02T14:30:00.000Z', inbox: '', link: '',
  });
  t.match(mail, 'Das Angebot läuft am 2. März 2026, 14:30 UTC ab.', 'a mail writes times in the recipient\'s language');
  await db.updateTable('users').set({ locale: 'en' }).where('id', '=', customer.id).execute();
  const english = await client.get(`/portal/tickets/${id}`);
  t.match(english.body, /<time datetime="2026-03-02T14:30:00.000Z" title="2 Mar 2026, 15:30 CET">2 Mar( 2026)?<\/time>/);
});

t.test('Accept-Language picks the best shipped language', async (t) => {
  const catalogue = new Catalogue();
  t.equal(catalogue.negotiate('de-AT,de;q=0.9,en;q=0.5'), 'de');
  t.equal(catalogue.negotiate('fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7'), 'en');
  t.equal(catalogue.negotiate('fr, de;q=0.1'), 'de');
  t.equal(catalogue.negotiate('en;q=0.2, de;q=0.8'), 'de');
  t.equal(catalogue.negotiate('fr'), null);
  t.equal(catalogue.negotiate(''), null);
  t.equal(catalogue.negotiate('de;q=0'), null, 'q=0 means "not this one"');
});

t.test('a customer whose profile says German sees the portal in German', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const customer = await makeUser(db, 'customer', { name: 'Dora' });
  await db.updateTable('users').set({ locale: 'de' }).where('id', '=', customer.id).execute();
  const client = new Client(app);
  await client.login(customer.email, PASSWORD);
  const home = await client.get('/portal', { 'accept-language': 'en' });
  t.match(home.body, '<html lang="de">');
  t.match(home.body, '<h1>Meine Seite</h1>');
  t.match(home.body, 'Ticket einreichen');
  t.match(home.body, 'Abmelden');
  const list = await client.get('/portal/tickets');
  t.match(list.body, 'Meine Tickets');
  t.match((await client.get('/portal/tickets/999999')).body, 'Nicht gefunden', 'error pages too');
  const profile = await client.get('/account');
  t.match(profile.body, '<option value="de" selected>Deutsch</option>');
});

t.test('a visitor whose browser asks for German gets German pages; others get English', async (t) => {
  const { app } = await buildTestDesk(t);
  const german = await app.inject({ url: '/login', headers: { 'accept-language': 'de-DE,de;q=0.9,en;q=0.8' } });
  t.match(german.body, '<html lang="de">');
  t.match(german.body, '<h1>Anmelden</h1>');
  t.match(german.body, 'Passwort vergessen?');
  const french = await app.inject({ url: '/login', headers: { 'accept-language': 'fr-FR' } });
  t.match(french.body, '<html lang="en">');
  t.match(french.body, '<h1>Log in</h1>');
  const forgot = await app.inject({ url: '/password/forgot', headers: { 'accept-language': 'de' } });
  t.match(forgot.body, 'Link zum Zurücksetzen senden');
});

t.test('a profile language beats the browser\'s', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const customer = await makeUser(db, 'customer');
  const client = new Client(app);
  await client.login(customer.email, PASSWORD);
  const home = await client.get('/portal', { 'accept-language': 'de' });
  t.match(home.body, '<html lang="en">', 'the profile says English (the default)');
  t.match(home.body, '<h1>My page</h1>');
});
