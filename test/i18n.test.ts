import t from 'tap';
import { Catalogue } from '../src/i18n.js';
import { buildTestDesk } from './helpers/app.js';
import { Client } from './helpers/client.js';
import { makeUser, PASSWORD } from './helpers/factories.js';

t.test('the catalogue ships English and German, and German keeps every placeholder of the English text', async (t) => {
  const catalogue = new Catalogue();
  t.same(catalogue.locales(), ['en', 'de']);
  const en = catalogue.translator('en');
  const de = catalogue.translator('de');
  t.equal(de('portal.submit.title'), 'Ticket einreichen');
  t.equal(de('admin.texts.title'), en('admin.texts.title'), 'a key German lacks falls back to English');
  const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const key of catalogue.keys()) {
    const german = catalogue.defaultText(key, 'de');
    if (german !== undefined) t.same(names(german), names(catalogue.defaultText(key, 'en')!), key);
  }
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
