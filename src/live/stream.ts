import type { FastifyReply } from 'fastify';

/** A comment line this often keeps proxies from closing an idle stream and finds dead connections. */
export const HEARTBEAT_MS = 20_000;

export interface EventStream {
  /**
   * One unnamed message: htmx's SSE extension swaps its HTML (here: <hx-partial> elements). With an
   * `id`, the browser sends it back as Last-Event-ID when it reconnects.
   */
  send(html: string, id?: number): void;
  /** Only an id: where the browser stands, should it reconnect before the next message with one. */
  mark(id: number): void;
  close(): void;
  readonly closed: boolean;
}

/**
 * Take the response over for server-sent events. Fastify's hooks (security headers, compression
 * if any were added) do not run on a hijacked reply, so the headers are written here. `onClose`
 * runs once, whether the browser left or the server ended the stream.
 */
export function openEventStream(reply: FastifyReply, onClose: () => void, heartbeatMs = HEARTBEAT_MS): EventStream {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    'Connection': 'keep-alive',
    // nginx and friends buffer responses unless told not to.
    'X-Accel-Buffering': 'no',
    'X-Content-Type-Options': 'nosniff',
  });
  // How long the browser waits before reconnecting after a drop.
  raw.write('retry: 3000\n\n');
  let closed = false;
  const heartbeat = setInterval(() => write(': ping\n\n'), heartbeatMs);
  heartbeat.unref();
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    onClose();
  };
  function write(chunk: string) {
    if (closed) return;
    raw.write(chunk, (error) => { if (error) finish(); });
  }
  // The response's 'close' (not the request's, which fires once a body is read) means the client left.
  raw.on('close', finish);
  raw.on('error', finish);
  return {
    send(html, id) {
      write(`${id === undefined ? '' : `id: ${id}\n`}${html.split(/\r\n|\r|\n/).map((line) => `data: ${line}`).join('\n')}\n\n`);
    },
    mark(id) {
      write(`id: ${id}\n\n`);
    },
    close() {
      finish();
      raw.end();
    },
    get closed() { return closed; },
  };
}
