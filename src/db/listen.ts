import pg from 'pg';

export interface Listener {
  close(): Promise<void>;
}

/** Told of each notification's payload, and with null once after each (re)connection: what was missed meanwhile. */
export type OnNotify = (payload: string | null) => void;

interface ListenOptions {
  url: string;
  /** The channels to LISTEN on, each with what to do on a notification. */
  channels: Record<string, OnNotify>;
  log: { warn(obj: object, msg: string): void };
  retryMs?: number;
}

/**
 * One dedicated PostgreSQL connection per instance that LISTENs on its channels (a pool's connections
 * come and go, and LISTEN belongs to a session: behind PgBouncer it needs session mode). A lost
 * connection is opened again after `retryMs`; on every (re)connection each channel's handler runs
 * once with null, so nothing committed while it was away waits for the next poll.
 */
export function listen(options: ListenOptions): Listener {
  let client: pg.Client | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  const retryMs = options.retryMs ?? 1000;

  const again = (error: unknown) => {
    if (closed || timer) return;
    options.log.warn({ channels: Object.keys(options.channels), error: error instanceof Error ? error.message : String(error) }, 'LISTEN connection lost; reconnecting');
    const lost = client;
    client = null;
    void lost?.end().catch(() => undefined);
    timer = setTimeout(() => { timer = null; void open(); }, retryMs);
    timer.unref();
  };

  const open = async () => {
    const next = new pg.Client({ connectionString: options.url });
    next.on('notification', (message) => {
      if (Object.hasOwn(options.channels, message.channel)) options.channels[message.channel]!(message.payload ?? '');
    });
    next.on('error', again);
    next.on('end', () => again(new Error('connection ended')));
    try {
      await next.connect();
      for (const channel of Object.keys(options.channels)) await next.query(`listen ${pg.escapeIdentifier(channel)}`);
      if (closed) return void (await next.end());
      client = next;
      for (const onNotify of Object.values(options.channels)) onNotify(null);
    } catch (error) {
      again(error);
    }
  };
  void open();

  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const last = client;
      client = null;
      await last?.end().catch(() => undefined);
    },
  };
}
