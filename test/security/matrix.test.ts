// The authorisation matrix: every route the app registers × every kind of person × A's object, B's
// object and an id that does not exist, against the table in expectations.ts.
import t from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { ACTORS, buildWorld, type ActorName, type Variant, type World } from './world.js';
import { AREAS, CSRF_EXEMPT, paramKind, ruleFor, type Outcome } from './expectations.js';

// Over 4,000 requests (the API's routes with every person's token among them): slow on PostgreSQL on a busy machine.
t.setTimeout(300_000);

/**
 * POSTs that destroy or end what later cases need (the ticket, the user, the session): they run after
 * all others, and an allowed actor's case runs only against the id that does not exist.
 */
const DESTRUCTIVE = /\/(delete|erase|merge|removal|remove|retirement|spam|cancel|solve|withdrawal|decline|acceptance|reset|state|role|default|import|revoke)$|^\/admin\/statuses\/presets\/|^\/logout$/;

/** A DELETE (the API's) removes what it names, like the pages' destructive POSTs. */
function isDestructive(method: string, url: string): boolean {
  return method === 'DELETE' || (method === 'POST' && DESTRUCTIVE.test(url));
}

function routeKeys(world: World): string[] {
  return [...new Set(world.routes.filter((r) => r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`))];
}

/** The URL with its parameters filled from the fixtures: the first id is the varied one. */
function fill(world: World, url: string, variant: Variant): string {
  return url.replace(/:(\w+)|\*/g, (_match, name: string | undefined, offset: number) => {
    const param = name ?? '*';
    const kind = paramKind(url, param);
    const first = url.search(/:\w+/) === offset;
    const which = first ? variant : 'a';
    if (kind === 'filename') return variant === 'b' ? 'b.txt' : 'a.txt';
    const ids = (world.ids as unknown as Record<string, Record<string, number>>)[kind];
    if (!ids) return kind; // a fixed value (token, locale, key, file)
    if (which === 'missing') return String((world.missing as Record<string, number>)[kind]);
    return String(ids[which]);
  });
}

function hasId(url: string): boolean {
  return /:(?!token|locale|key|filename)\w+/.test(url);
}

function classify(response: LightMyRequestResponse): string {
  const location = String(response.headers.location ?? '');
  if (response.statusCode >= 300 && response.statusCode < 400 && location.startsWith('/login')) return 'login';
  return String(response.statusCode);
}

function satisfies(outcome: Outcome, response: LightMyRequestResponse): boolean {
  const got = classify(response);
  const status = response.statusCode;
  if (status >= 500) return false;
  if (outcome === 'public') return true;
  if (outcome === 'ok') return got !== 'login' && ![401, 403, 404].includes(status);
  return got === String(outcome);
}

/** The API (issue 22) as its callers use it: each person's bearer token (none for visitors), a JSON body. */
async function sendApi(world: World, actor: ActorName, method: string, url: string): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = actor === 'anonymous' ? {} : { authorization: `Bearer ${world.tokens[actor]}` };
  return world.app.inject({ method: method as 'GET', url, headers: { ...headers, ...(method === 'GET' ? {} : { 'content-type': 'application/json' }) }, ...(method === 'GET' ? {} : { payload: '{}' }) });
}

async function send(world: World, actor: ActorName, method: string, url: string): Promise<LightMyRequestResponse> {
  if (url.startsWith('/api/')) {
    if (actor === 'colleagueUnshared') await world.setSharing(false);
    try {
      return await sendApi(world, actor, method, url);
    } finally {
      if (actor === 'colleagueUnshared') await world.setSharing(true);
    }
  }
  const client = world.clients[actor];
  if (actor === 'colleagueUnshared') await world.setSharing(false);
  try {
    // The live streams never end: ask for them as a browser would, and read what is there at once.
    const headers = url.endsWith('/live') ? { accept: 'text/event-stream' } : {};
    if (url.endsWith('/live')) {
      const response = await client.app.inject({ method: 'GET', url, headers: { ...headers, cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') }, payloadAsStream: true });
      (response.stream() as NodeJS.ReadableStream & { destroy(): void }).destroy();
      return response;
    }
    return method === 'GET' ? await client.get(url) : await client.post(url, {});
  } finally {
    if (actor === 'colleagueUnshared') await world.setSharing(true);
  }
}

t.test('every route is in the expectation table, and the table names no route that does not exist', async (t) => {
  const world = await buildWorld(t);
  const keys = routeKeys(world);
  const missing = keys.filter((key) => !ruleFor(key));
  t.same(missing, [], 'routes nobody declared who may use: add them to test/security/expectations.ts');
  const declared = Object.values(AREAS).flatMap((area) => area.routes);
  t.same(declared.filter((key) => !keys.includes(key)), [], 'declared routes the app does not register');
  t.ok(keys.length > 150, `${keys.length} routes`);
});

t.test('every route × actor × id answers as the table says', async (t) => {
  const world = await buildWorld(t);
  const keys = routeKeys(world).sort((a, b) => rank(a) - rank(b));
  const failures: string[] = [];
  let cases = 0;
  for (const key of keys) {
    const [method, url] = key.split(' ') as [string, string];
    const rule = ruleFor(key);
    if (!rule) continue;
    const variants: (Variant | null)[] = hasId(url) ? ['missing', 'b', 'a'] : [null];
    for (const variant of variants) {
      for (const actor of ACTORS) {
        const expected = rule(actor, variant, method);
        if (expected === 'ok' && isDestructive(method, url) && variant !== 'missing' && variant !== null) continue;
        const path = fill(world, url, variant ?? 'a');
        const response = await send(world, actor, method, path);
        cases++;
        if (!satisfies(expected, response)) failures.push(`${method} ${path} as ${actor} (${variant ?? '-'}): expected ${expected}, got ${classify(response)}`);
      }
    }
  }
  for (const failure of failures) t.comment(failure);
  t.equal(failures.length, 0, `${cases} cases answer as the table says`);
  t.comment(`${keys.length} routes, ${cases} cases`);
});

t.test('every POST without a CSRF token is refused, even from someone allowed to use it', async (t) => {
  const world = await buildWorld(t);
  const posts = routeKeys(world).filter((key) => key.startsWith('POST ') && !CSRF_EXEMPT.includes(key));
  const failures: string[] = [];
  for (const key of posts) {
    const url = key.slice('POST '.length);
    const rule = ruleFor(key)!;
    const variant: Variant | null = hasId(url) ? (rule('admin', 'a', 'POST') === 'ok' ? 'a' : 'b') : null;
    // Whoever the table lets in (the least powerful first), so the refusal can only be the missing token.
    const actor = ACTORS.find((a) => ['ok', 'public', 422, 404].includes(rule(a, variant, 'POST'))) ?? 'admin';
    const before = await world.db.selectFrom('audit_log').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const response = await world.clients[actor].post(fill(world, url, variant ?? 'a'), { _csrf: '' });
    const after = await world.db.selectFrom('audit_log').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    if (response.statusCode !== 403 || !response.body.includes('did not come from this site') || before.n !== after.n) {
      failures.push(`${key} as ${actor}: ${response.statusCode}`);
    }
  }
  for (const failure of failures) t.comment(failure);
  t.equal(failures.length, 0, `${posts.length} POST routes refuse a form without its token`);
});

/** GETs first, then POSTs that change little, then those that destroy; ending sessions and logging out last of all. */
function rank(key: string): number {
  const [method, url] = key.split(' ') as [string, string];
  if (url === '/logout') return 4;
  if (url === '/account/sessions/end') return 3;
  if (method === 'GET') return 0;
  return isDestructive(method, url) ? 2 : 1;
}

