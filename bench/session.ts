// A logged-in browser, as far as the benchmark needs one: the session cookie and the CSRF token
// that every form of the logged-in pages carries.
export interface Session {
  cookie: string;
  csrf: string;
}

export async function logIn(baseUrl: string, email: string, password: string, headers: Record<string, string> = {}): Promise<Session> {
  const jar = new Map<string, string>();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const request = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(baseUrl + path, { ...init, redirect: 'manual', headers: { ...headers, cookie: cookie(), ...(init.headers as Record<string, string>) } });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const value = pair!.slice(at + 1);
      if (value === '' || /max-age=0/i.test(line)) jar.delete(pair!.slice(0, at));
      else jar.set(pair!.slice(0, at), value);
    }
    return { status: res.status, location: res.headers.get('location'), body: await res.text() };
  };
  const form = await request('/login');
  const loginCsrf = csrfIn(form.body);
  const done = await request('/login', {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: loginCsrf, email, password }).toString(),
  });
  if (done.status !== 303 || !done.location) throw new Error(`logging in as ${email} answered ${done.status}`);
  // The session has its own CSRF secret: take the token from the page the login leads to.
  let page = await request(done.location);
  for (let hops = 0; page.location && hops < 3; hops++) page = await request(page.location);
  return { cookie: cookie(), csrf: csrfIn(page.body) };
}

/** A page as the logged-in browser gets it (redirects not followed). */
export async function get(baseUrl: string, path: string, session: Session): Promise<{ status: number; body: string }> {
  const res = await fetch(baseUrl + path, { headers: { cookie: session.cookie }, redirect: 'manual' });
  return { status: res.status, body: await res.text() };
}

function csrfIn(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? /"X-CSRF-Token":"([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no CSRF token in the page');
  return token;
}
