import type { Test } from 'tap';
import type { Client } from '../helpers/client.js';
import { notifyDesk } from '../notify/helpers.js';

/** The notify desk (Kim the agent, Cora the requester, Dan CC'd, a real SMTP server), listening on a real port. */
export async function liveDesk(t: Test) {
  const desk = await notifyDesk(t);
  await desk.app.listen({ port: 0, host: '127.0.0.1' });
  const address = desk.app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { ...desk, base };
}

export interface OpenStream {
  status: number;
  contentType: string | null;
  /** Everything received so far. */
  text(): string;
  /** Wait until the received text matches (or fail after `ms`). */
  waitFor(pattern: RegExp, ms?: number): Promise<boolean>;
  /** Wait until the server has ended the stream (false if it is still open after `ms`). */
  ended(ms?: number): Promise<boolean>;
  close(): void;
}

/**
 * Open a server-sent event stream with a client's session, as the browser's EventSource-like fetch
 * would (a reconnecting one also sends `Last-Event-ID` in `headers`).
 */
export async function openStream(t: Test, base: string, path: string, client: Client, headers: Record<string, string> = {}): Promise<OpenStream> {
  const controller = new AbortController();
  const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const response = await fetch(base + path, { headers: { ...headers, cookie, accept: 'text/event-stream' }, signal: controller.signal });
  let received = '';
  let done = false;
  const waiters = new Set<() => void>();
  if (response.body) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    void (async () => {
      for (;;) {
        const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
        if (chunk.done) break;
        const value = chunk.value;
        received += decoder.decode(value, { stream: true });
        for (const wake of waiters) wake();
      }
      done = true;
      for (const wake of waiters) wake();
    })();
  }
  t.teardown(() => controller.abort());
  function until(check: () => boolean, ms: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = () => {
        if (!check()) return;
        cleanup();
        resolve(true);
      };
      const timer = setTimeout(() => { cleanup(); resolve(false); }, ms);
      const cleanup = () => { clearTimeout(timer); waiters.delete(wake); };
      waiters.add(wake);
    });
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    text: () => received,
    waitFor: (pattern, ms = 3000) => until(() => pattern.test(received), ms),
    ended: (ms = 3000) => until(() => done, ms),
    close: () => controller.abort(),
  };
}

/** Let the quiet period pass: the digest jobs become due now. */
export async function quietPeriodPasses(desk: { db: import('../../src/db/connect.js').Db }): Promise<void> {
  await desk.db.updateTable('jobs').set({ run_at: new Date(Date.now() - 1000).toISOString() }).where('kind', '=', 'chat_digest').where('state', '=', 'queued').execute();
}
