import { once } from 'node:events';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

/**
 * A real SMTP server on loopback that keeps what it receives. It can be stopped and started again
 * on the same port, to play an outage.
 */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  /** Recipients the server turns away, as a full mailbox would (a temporary 452). */
  readonly refusing = new Set<string>();
  /** Recipients the server refuses for good (a permanent 550). */
  readonly rejecting = new Set<string>();
  port = 0;
  #server: SMTPServer | null = null;

  /** Listen on `port` (0: any free port, which is then kept for later restarts). */
  async start(port = this.port): Promise<number> {
    const server = new SMTPServer({
      secure: false,
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        if (this.rejecting.has(address.address)) {
          return callback(Object.assign(new Error(`No such mailbox: ${address.address}`), { responseCode: 550 }));
        }
        if (!this.refusing.has(address.address)) return callback();
        callback(Object.assign(new Error(`Mailbox of ${address.address} is full, try again later`), { responseCode: 452 }));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          this.received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    // A client killed mid-session (the crash tests SIGKILL the desk) resets its connection: not our failure.
    server.on('error', (error: NodeJS.ErrnoException) => { if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') throw error; });
    server.listen(port, '127.0.0.1');
    await once(server.server, 'listening');
    this.#server = server;
    this.port = (server.server.address() as { port: number }).port;
    return this.port;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The decoded header value of a received message (a plain-ASCII header is enough for tests). */
export function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

export function body(raw: string): string {
  return raw.split(/\r?\n\r?\n/).slice(1).join('\n\n');
}
