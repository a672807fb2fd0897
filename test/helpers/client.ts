import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/**
 * A browser stand-in over app.inject: keeps cookies, and sends the CSRF token of the last page it
 * loaded with every form, as the real forms do.
 */
export class Client {
  readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(readonly app: FastifyInstance, readonly ip = '127.0.0.1') {}

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({ method: 'GET', url, headers: { ...this.#cookieHeader(), ...headers }, remoteAddress: this.ip });
    this.#remember(response);
    return response;
  }

  /**
   * The HTML of a page that must answer `status` (200 unless told): throws otherwise, so a claim that
   * something is absent from it cannot pass on an error page.
   */
  async page(url: string, headers: Record<string, string> = {}, status = 200): Promise<string> {
    const response = await this.get(url, headers);
    if (response.statusCode !== status) throw new Error(`GET ${url} answered ${response.statusCode}, not ${status}: ${response.body.slice(0, 200)}`);
    return response.body;
  }

  /** Submit a form; the page's CSRF token is added unless the test sets `_csrf` itself. */
  async post(url: string, form: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams({ _csrf: this.csrf, ...form }).toString();
    const response = await this.app.inject({
      method: 'POST', url, payload: body, remoteAddress: this.ip,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...this.#cookieHeader(), ...headers },
    });
    this.#remember(response);
    return response;
  }

  /** Load the login page (for its token), then log in. */
  async login(email: string, password: string): Promise<LightMyRequestResponse> {
    await this.get('/login');
    const response = await this.post('/login', { email, password });
    // The session has its own CSRF secret: pick up the new token from the next page.
    let next = response.headers.location;
    for (let hops = 0; typeof next === 'string' && hops < 3; hops++) next = (await this.get(next)).headers.location;
    return response;
  }

  #cookieHeader(): Record<string, string> {
    return this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }

  #remember(response: LightMyRequestResponse): void {
    for (const cookie of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired = cookie.value === '' || cookie.maxAge === 0 || (cookie.expires && cookie.expires.getTime() < Date.now());
      if (expired) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body) ?? /"X-CSRF-Token":"([^"]+)"/.exec(response.body);
    if (token?.[1]) this.csrf = token[1];
  }
}
