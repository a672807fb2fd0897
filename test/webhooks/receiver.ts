import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Test } from 'tap';

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  /** The raw body, exactly as it arrived (what the signature covers). */
  body: string;
}

/**
 * A real HTTP server on the loopback interface that receives webhook deliveries and answers as
 * `answer` says (by default 200). Closed when the test ends.
 */
export async function startReceiver(t: Test, answer: (request: Received, index: number, response: ServerResponse) => number | 'hang' = () => 200) {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(entry);
      const status = answer(entry, received.length - 1, response);
      if (status === 'hang') return;
      if (!response.headersSent) response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(status >= 200 && status < 300 ? 'thanks' : `no (${status})`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { received, port, url: (path = '/hook') => `http://127.0.0.1:${port}${path}` };
}
