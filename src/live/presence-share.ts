import { randomBytes } from 'node:crypto';
import type { Db } from '../db/connect.js';
import { notifyOnCommit, PRESENCE_CHANNEL } from '../db/dialect.js';
import type { Presence } from './presence.js';
import { PRESENCE_HEARTBEAT_MS, type TicketPresence } from './remote-presence.js';

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more: announcements are cut into parts below. */
const MAX_PAYLOAD = 7000;
/** Names of remote viewers are looked up once and kept this long (a renamed agent shows soon enough). */
const NAME_CACHE_MS = 60_000;

/** One ticket in an announcement: [ticket id, viewing user ids, replying user ids]. */
type Entry = [number, number[], number[]];

/** `s`: the state of these tickets here (empty lists: nobody any more); `ask`: say yours too; `bye`: this instance stops. */
type Message = { i: string; s: Entry[]; ask?: 1 } | { i: string; bye: 1 };

export interface PresenceShareOptions {
  db: Db;
  presence: Presence;
  log: { warn(obj: object, msg: string): void };
  heartbeatMs?: number;
}

/**
 * Presence across instances over one PostgreSQL database: each instance announces (NOTIFY, ids only)
 * its own viewers of a ticket whenever they change, and all of them again every heartbeat; it hears
 * the others' announcements on its LISTEN connection (`receive`), looks up the names, and keeps them
 * in `presence.remote`, which forgets what is not repeated within three heartbeats. On (re)connecting
 * it asks the others to announce theirs at once; stopping, it says goodbye.
 */
export class PresenceShare {
  /** Who this instance is in the announcements (its own come back to it on the channel, and are skipped). */
  readonly instance = randomBytes(8).toString('hex');
  readonly #db: Db;
  readonly #presence: Presence;
  readonly #log: PresenceShareOptions['log'];
  readonly #heartbeatMs: number;
  readonly #dirty = new Set<number>();
  readonly #names = new Map<number, { name: string; at: number }>();
  #ask = false;
  #sending: Promise<void> | null = null;
  #received: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(options: PresenceShareOptions) {
    this.#db = options.db;
    this.#presence = options.presence;
    this.#log = options.log;
    this.#heartbeatMs = options.heartbeatMs ?? PRESENCE_HEARTBEAT_MS;
    this.#presence.onLocalChange = (ticketId) => this.#announce([ticketId]);
  }

  start(): void {
    this.#timer = setInterval(() => this.heartbeat(), this.#heartbeatMs);
    this.#timer.unref();
  }

  /** Say again what is here (so the others keep it), and forget what the others stopped saying. */
  heartbeat(): void {
    this.#presence.remote.expire();
    this.#announce(this.#presence.localTickets());
  }

  /** A notification on the presence channel; null once the LISTEN connection is (re)opened: ask everyone. */
  receive(payload: string | null): void {
    if (payload === null) {
      this.#ask = true;
      return this.#announce(this.#presence.localTickets());
    }
    const message = parseMessage(payload);
    if (!message || message.i === this.instance) return;
    // One at a time: a newer word must not be overtaken by an older one still looking up names.
    this.#received = this.#received.then(() => this.#hear(message))
      .catch((error: unknown) => this.#log.warn({ error: error instanceof Error ? error.message : String(error) }, 'presence announcement not applied'));
  }

  /** Stop announcing; the others forget this instance's people at once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#presence.onLocalChange = null;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    // Whatever is on its way goes first: the goodbye must be the last word.
    await this.#sending;
    await this.#received;
    await this.#send({ i: this.instance, bye: 1 });
  }

  async #hear(message: Message): Promise<void> {
    if ('bye' in message) return this.#presence.remote.forget(message.i);
    const names = await this.#namesOf(message.s.flatMap(([, viewing, replying]) => [...viewing, ...replying]));
    const states: TicketPresence[] = message.s.map(([ticketId, viewing, replying]) => ({ ticketId, viewing, replying }));
    this.#presence.remote.heard(message.i, states, names);
    if (message.ask) this.#announce(this.#presence.localTickets());
  }

  async #namesOf(userIds: number[]): Promise<Map<number, string>> {
    const now = Date.now();
    const missing = [...new Set(userIds)].filter((id) => (this.#names.get(id)?.at ?? -Infinity) <= now - NAME_CACHE_MS);
    if (missing.length > 0) {
      const rows = await this.#db.selectFrom('users').select(['id', 'name']).where('id', 'in', missing).execute();
      for (const row of rows) this.#names.set(row.id, { name: row.name, at: now });
    }
    return new Map(userIds.map((id) => [id, this.#names.get(id)?.name ?? '']));
  }

  /**
   * Mark tickets to announce. The state is read when sent, not when marked, and sends go one after
   * another: changes in quick succession fold into one word, and the last word sent is the latest.
   */
  #announce(ticketIds: readonly number[]): void {
    if (this.#stopped) return;
    for (const id of ticketIds) this.#dirty.add(id);
    if (this.#sending || (this.#dirty.size === 0 && !this.#ask)) return;
    this.#sending = this.#flush().finally(() => { this.#sending = null; });
  }

  async #flush(): Promise<void> {
    while (this.#dirty.size > 0 || this.#ask) {
      const entries = [...this.#dirty].map((id): Entry => {
        const state = this.#presence.localState(id);
        return [id, state.viewing, state.replying];
      });
      const ask = this.#ask;
      this.#dirty.clear();
      this.#ask = false;
      for (const part of inParts(entries)) await this.#send({ i: this.instance, s: part, ...(ask ? { ask: 1 as const } : {}) });
    }
  }

  async #send(message: Message): Promise<void> {
    try {
      await notifyOnCommit(this.#db, PRESENCE_CHANNEL, JSON.stringify(message));
    } catch (error) {
      // The next heartbeat says it all again.
      this.#log.warn({ error: error instanceof Error ? error.message : String(error) }, 'presence not announced');
    }
  }
}

/** Entries cut into parts that each fit one NOTIFY; at least one part (an `ask` may carry no entries). */
function inParts(entries: Entry[]): Entry[][] {
  const parts: Entry[][] = [[]];
  let size = 0;
  for (const entry of entries) {
    const length = JSON.stringify(entry).length + 1;
    if (size + length > MAX_PAYLOAD && parts.at(-1)!.length > 0) {
      parts.push([]);
      size = 0;
    }
    parts.at(-1)!.push(entry);
    size += length;
  }
  return parts;
}

const isId = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;
const isIds = (value: unknown): value is number[] => Array.isArray(value) && value.every(isId);

/** An announcement, or null for anything else (the channel is not ours alone to trust blindly). */
export function parseMessage(payload: string): Message | null {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { i, s, ask, bye } = value as Record<string, unknown>;
  if (typeof i !== 'string' || i === '') return null;
  if (bye === 1) return { i, bye: 1 };
  if (!Array.isArray(s) || !s.every((e) => Array.isArray(e) && e.length === 3 && isId(e[0]) && isIds(e[1]) && isIds(e[2]))) return null;
  return { i, s: s as Entry[], ...(ask === 1 ? { ask: 1 as const } : {}) };
}
