import { asSingleton } from '../db/singleton.js';
import type { Log } from './smtp.js';
import { receiveMessage, UnparseableMail, type MailInDeps } from './receive.js';

export interface ImapSettings {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  pass: string;
  mailbox: string;
  pollMs: number;
}

/** `imaps://user:pass@host[:port]/Mailbox?poll=60` (imap:// for plain on loopback; poll in seconds). */
export function parseImapUrl(url: string): ImapSettings {
  const u = new URL(url);
  if (u.protocol !== 'imap:' && u.protocol !== 'imaps:') throw new Error('IMAP_URL must start with imap:// or imaps://');
  const secure = u.protocol === 'imaps:';
  const poll = Number(u.searchParams.get('poll') ?? 60);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : secure ? 993 : 143, secure,
    user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password),
    mailbox: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'INBOX',
    pollMs: Number.isFinite(poll) && poll >= 1 ? poll * 1000 : 60_000,
  };
}

export interface PollResult {
  stored: number;
  failed: number;
  /** Another instance was polling the mailbox at that moment (PostgreSQL): this one left it alone. */
  skipped?: true;
}

/** The singleton (db/singleton.ts) every instance's poller takes: one mailbox, one reader at a time. */
export const IMAP_POLL_SINGLETON = 'mailin.imap-poll';

/**
 * Polls a mailbox (IMAP_URL) for unseen mail. A message is marked \Seen only once the pipeline has
 * stored it (or found it is not a mail at all): after a crash or a database error it is simply
 * fetched again, and the Message-ID check keeps it from being stored twice. Each poll opens its own
 * connection, so a dropped connection or a restarted server is just a failed poll, retried later.
 */
export class ImapPoller {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<unknown> | null = null;
  #stopped = false;
  #failures = 0;

  constructor(private readonly deps: MailInDeps, private readonly settings: ImapSettings, private readonly log: Log) {}

  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  #schedule(delay: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.pollOnce().then(() => { this.#failures = 0; }, (error: unknown) => {
        this.#failures++;
        this.log.warn({ err: error, failures: this.#failures }, 'IMAP poll failed; trying again later');
      }).finally(() => {
        // Back off while the server is unreachable, up to ten minutes.
        this.#schedule(Math.min(this.settings.pollMs * 2 ** Math.min(this.#failures, 6), 600_000));
      });
    }, delay);
    this.#timer.unref();
  }

  /** One poll: every unseen message, oldest first; skipped while another instance polls. */
  async pollOnce(): Promise<PollResult> {
    const outcome = await asSingleton(this.deps.db, IMAP_POLL_SINGLETON, () => this.#fetchUnseen());
    return outcome.ran ? outcome.value : { stored: 0, failed: 0, skipped: true };
  }

  async #fetchUnseen(): Promise<PollResult> {
    const s = this.settings;
    // Loaded on the first poll: imapflow is ~0.7 s of module loading a server without IMAP never needs.
    const { ImapFlow } = await import('imapflow');
    const client = new ImapFlow({ host: s.host, port: s.port, secure: s.secure, auth: { user: s.user, pass: s.pass }, logger: false });
    client.on('error', (error: unknown) => this.log.warn({ err: error }, 'IMAP connection error'));
    await client.connect();
    const result: PollResult = { stored: 0, failed: 0 };
    try {
      const lock = await client.getMailboxLock(s.mailbox);
      try {
        const uids = (await client.search({ seen: false }, { uid: true })) || [];
        for (const uid of uids) {
          const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
          if (!message || !message.source) continue;
          try {
            const outcome = await receiveMessage(this.deps, message.source);
            this.log.info({ outcome, uid }, 'mail received over IMAP');
            result.stored++;
          } catch (error) {
            if (!(error instanceof UnparseableMail)) {
              result.failed++;
              this.log.error({ err: error, uid }, 'inbound mail not stored; left unseen for the next poll');
              continue;
            }
            this.log.warn({ err: error, uid }, 'not a mail message; marked seen and left in the mailbox');
          }
          await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
        }
      } finally {
        lock.release();
      }
    } finally {
      await client.logout().catch(() => client.close());
    }
    return result;
  }
}
