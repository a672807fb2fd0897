import t from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

const SESSION = 'deskbell_session';

t.test('every page carries a strict CSP: no inline script, no eval, no framing', async (t) => {
  const { app } = await buildTestDesk(t);
  for (const url of ['/login', '/healthz', '/no-such-page', '/public/css/app.css']) {
    const res = await app.inject({ url });
    const csp = String(res.headers['content-security-policy']);
    t.match(csp, /script-src 'self'(;|$)/, `${url}: scripts only from our origin`);
    t.notMatch(csp, /unsafe-inline|unsafe-eval|wasm-unsafe-eval|\*/, `${url}: no inline code, no eval (htmx's hx-on and js: values cannot run)`);
    t.match(csp, "frame-ancestors 'none'");
    t.match(csp, "object-src 'none'");
    t.equal(res.headers['x-content-type-options'], 'nosniff');
    t.equal(res.headers['referrer-policy'], 'same-origin');
    t.equal(res.headers['x-frame-options'], 'DENY');
    t.notOk(res.headers['strict-transport-security'], 'no HSTS over plain http');
  }
  const login = await app.inject({ url: '/login' });
  t.equal(login.statusCode, 200);
  const page = login.body;
  t.notMatch(page, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline <script> block');
  t.notMatch(page, /\son[a-z]+=|hx-on/i, 'no inline event handlers');
  // htmx compiles hx-on and js: values with Function(), which this CSP forbids; and only the one
  // extension we ship may register, so nothing else can widen what htmx does.
  t.match(page, `<meta name="htmx-config" content='{"includeIndicatorCSS":false,"extensions":"sse"}'>`);
});

t.test('HSTS only when the desk is served over https', async (t) => {
  const { app } = await buildTestDesk(t, {}, { BASE_URL: 'https://desk.example.test' });
  const res = await app.inject({ url: '/login' });
  t.match(String(res.headers['strict-transport-security']), /^max-age=\d{8,}; includeSubDomains$/);
});

t.test('logging in gives a new session id, and the old one stops working', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const user = await makeUser(db, 'agent');
  const browser = new Client(app);
  await browser.login(user.email, PASSWORD);
  const first = browser.cookies.get(SESSION)!;
  t.ok(first);
  await browser.login(user.email, PASSWORD);
  const second = browser.cookies.get(SESSION)!;
  t.not(second, first, 'a fresh id at every login (no fixation)');
  const stale = await app.inject({ url: '/account', headers: { cookie: `${SESSION}=${first}` } });
  t.equal(stale.statusCode, 303, 'the previous id is ended');
  t.match(stale.headers.location, /^\/login/);
});

t.test('changing the password logs out other browsers; this one continues on a new session', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const user = await makeUser(db, 'customer');
  const laptop = new Client(app);
  const phone = new Client(app);
  await laptop.login(user.email, PASSWORD);
  await phone.login(user.email, PASSWORD);
  const before = laptop.cookies.get(SESSION);
  await laptop.get('/account');
  const res = await laptop.post('/account/password', { current: PASSWORD, password: 'a whole new passphrase', confirm: 'a whole new passphrase' });
  t.equal(res.statusCode, 303);
  t.not(laptop.cookies.get(SESSION), before, 'the changing browser got a new session id');
  t.equal((await laptop.get('/account')).statusCode, 200, 'and stays logged in');
  t.equal((await phone.get('/account')).statusCode, 303, 'the other browser is logged out');
  t.equal((await db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).length, 1);
});

t.test('"Log out everywhere" on the account page ends every session, with CSRF', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const user = await makeUser(db, 'agent');
  const laptop = new Client(app);
  const phone = new Client(app);
  await laptop.login(user.email, PASSWORD);
  await phone.login(user.email, PASSWORD);
  const page = await laptop.get('/account');
  t.match(page.body, /<form method="post" action="\/account\/sessions\/end">\s*<input type="hidden" name="_csrf"/);
  t.match(page.body, 'Log out everywhere');

  const forged = await laptop.post('/account/sessions/end', { _csrf: 'forged' });
  t.equal(forged.statusCode, 403, 'a forged request is refused');
  t.equal((await db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).length, 2, 'nothing ended');

  const res = await laptop.post('/account/sessions/end');
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/login');
  t.equal((await db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).length, 0);
  t.equal((await phone.get('/account')).statusCode, 303, 'the phone is logged out');
  const login = await laptop.get('/login');
  t.equal(login.statusCode, 200, 'this browser too');
  t.match(login.body, 'You are logged out on every browser.');
});
