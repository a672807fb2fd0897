import { once } from 'node:events';
import type { SMTPServer } from 'smtp-server';
import { TooManyRequests } from '../lib/errors.js';
import { acceptsRecipient } from './addresses.js';
import { receiveMessage, UnparseableMail, type MailInDeps, type Outcome } from './receive.js';

export interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SmtpReceiver {
  port: number;
  /** The most bytes of one mail held in memory at once since start: never above `maxBytes`. */
  readonly peakBuffered: number;
  close(): Promise<void>;
}

export interface SmtpLimits {
  /** Bigger mails are refused (552); what arrives past the limit is read and dropped, not kept. */
  maxBytes: number;
  /** Sessions open at once, from everyone (smtp-server answers 421 past it). */
  maxClients: number;
  /** Sessions open at once from one client address (421 past it). */
  maxPerAddress: number;
}

export const SMTP_MAX_BYTES = 40 * 1024 * 1024;
/** At most 20 mails in memory at once (20 × 40 MB); the MTA on loopback gets 10 sessions, and a 421 makes it wait and retry. */
export const SMTP_LIMITS: SmtpLimits = { maxBytes: SMTP_MAX_BYTES, maxClients: 20, maxPerAddress: 10 };

/** `127.0.0.1:2525`, `[::1]:2525`, `:2525` or `2525`: a port alone listens on loopback only. */
export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(?:\[?([^\]]*?)\]?:)?(\d{1,5})$/.exec(listen.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) throw new Error(`SMTP_LISTEN must be HOST:PORT or PORT, got "${listen}"`);
  return { host: match[1] || '127.0.0.1', port };
}

/**
 * The built-in receiver (SMTP_LISTEN): a local MTA or a relay hands mail to it. It takes mail only
 * for our support and reply addresses, answers 451 when storing fails (the sender retries later),
 * 552 past the size limit and 554 for bytes that are not a mail, and 421 past its session limits.
 * No AUTH and no TLS: it belongs behind the MTA, on loopback.
 */
export async function startSmtpReceiver(deps: MailInDeps, listen: string, log: Log, onStored?: (outcome: Outcome) => void, limits: SmtpLimits = SMTP_LIMITS): Promise<SmtpReceiver> {
  // Loaded only when the receiver is wanted: a desk without SMTP_LISTEN never needs the module.
  const { SMTPServer: Server } = await import('smtp-server');
  const { host, port } = parseListen(listen);
  const perAddress = new Map<string, number>();
  const counted = new Set<string>();
  let peakBuffered = 0;
  const server: SMTPServer = new Server({
    secure: false,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: limits.maxBytes,
    maxClients: limits.maxClients,
    // Behind the MTA on loopback: a reverse lookup per session would only wait on DNS.
    disableReverseLookup: true,
    logger: false,
    banner: 'Deskbell',
    onConnect: (session, callback) => {
      const open = perAddress.get(session.remoteAddress) ?? 0;
      if (open >= limits.maxPerAddress) {
        return callback(Object.assign(new Error('Too many connections from your address, try again later'), { responseCode: 421 }));
      }
      perAddress.set(session.remoteAddress, open + 1);
      counted.add(session.id);
      callback();
    },
    onClose: (session) => {
      if (!counted.delete(session.id)) return;
      const open = (perAddress.get(session.remoteAddress) ?? 1) - 1;
      if (open > 0) perAddress.set(session.remoteAddress, open);
      else perAddress.delete(session.remoteAddress);
    },
    onRcptTo: (address, _session, callback) => {
      acceptsRecipient(deps.db, deps.config.mailDomain, address.address).then((ok) => {
        if (ok) return callback();
        callback(Object.assign(new Error(`No such mailbox here: ${address.address}`), { responseCode: 550 }));
      }, (error: unknown) => callback(Object.assign(error as Error, { responseCode: 451 })));
    },
    onData: (stream, session, callback) => {
      let chunks: Buffer[] = [];
      let buffered = 0;
      let tooLarge = false;
      stream.on('data', (chunk: Buffer) => {
        if (tooLarge) return;
        // Past the limit the rest is read (the client must finish its DATA to hear the 552) and dropped.
        if (stream.sizeExceeded || buffered + chunk.length > limits.maxBytes) {
          tooLarge = true;
          chunks = [];
          buffered = 0;
          return;
        }
        chunks.push(chunk);
        buffered += chunk.length;
        peakBuffered = Math.max(peakBuffered, buffered);
      });
      stream.on('end', () => {
        if (tooLarge || stream.sizeExceeded) {
          return callback(Object.assign(new Error('Message too large'), { responseCode: 552 }));
        }
        const meta = {
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
        };
        receiveMessage(deps, Buffer.concat(chunks), meta).then((outcome) => {
          log.info({ outcome }, 'mail received over SMTP');
          onStored?.(outcome);
          callback();
        }, (error: unknown) => {
          const permanent = error instanceof UnparseableMail;
          if (error instanceof TooManyRequests) {
            log.warn({ err: error }, 'inbound mail deferred: too many from this sender');
            return callback(Object.assign(new Error('Too many messages from this sender, try again later'), { responseCode: 451 }));
          }
          log[permanent ? 'warn' : 'error']({ err: error }, 'inbound mail not stored');
          callback(Object.assign(new Error(permanent ? 'Not a mail message' : 'Try again later'), { responseCode: permanent ? 554 : 451 }));
        });
      });
    },
  });
  server.on('error', (error) => log.error({ err: error }, 'SMTP receiver error'));
  server.listen(port, host);
  await Promise.race([once(server.server, 'listening'), once(server, 'error').then(([error]) => { throw error; })]);
  return {
    port: (server.server.address() as { port: number }).port,
    get peakBuffered() { return peakBuffered; },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
