import { RemotePresence, type TicketPresence } from './remote-presence.js';

export type { TicketPresence };

/** How long a "typing" ping keeps someone shown as replying. The page pings every few seconds while typing. */
export const TYPING_MS = 8_000;

interface Present {
  name: string;
  /** Open streams (tabs) of this person on the ticket; 0 while only typing pings keep them here. */
  streams: number;
  typingUntil: number;
  timer: NodeJS.Timeout | null;
}

export interface PresenceEntry {
  userId: number;
  name: string;
  replying: boolean;
}

export interface PresenceOptions {
  /** Someone's presence on the ticket changed, here or on another instance: its staff streams redraw it. */
  changed: (ticketId: number) => void;
  /** The clock (tests move it by hand). */
  now?: () => number;
}

/**
 * Who has a ticket open and who is typing on it: staff only, kept in memory. Viewing lasts as long as
 * a stream is open; typing expires TYPING_MS after the last ping. Every change calls `changed`.
 * With several instances (PostgreSQL), `remote` holds what the others announce (live/presence-share.ts), and
 * `onLocalChange` is how this instance's own changes get announced to them.
 */
export class Presence {
  readonly #tickets = new Map<number, Map<number, Present>>();
  readonly #changed: (ticketId: number) => void;
  readonly #now: () => number;
  readonly remote: RemotePresence;
  /** Set while presence is shared between instances: told of each change to this instance's own presence. */
  onLocalChange: ((ticketId: number) => void) | null = null;

  constructor(options: PresenceOptions) {
    this.#changed = options.changed;
    this.#now = options.now ?? Date.now;
    this.remote = new RemotePresence(options.changed, this.#now);
  }

  join(ticketId: number, userId: number, name: string): () => void {
    const person = this.#person(ticketId, userId, name);
    person.streams++;
    this.#local(ticketId);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      person.streams--;
      this.#forgetIfGone(ticketId, userId);
      this.#local(ticketId);
    };
  }

  typing(ticketId: number, userId: number, name: string): void {
    const person = this.#person(ticketId, userId, name);
    const now = this.#now();
    const wasTyping = person.typingUntil > now;
    person.typingUntil = now + TYPING_MS;
    if (person.timer) clearTimeout(person.timer);
    person.timer = setTimeout(() => {
      person.timer = null;
      person.typingUntil = 0;
      this.#forgetIfGone(ticketId, userId);
      this.#local(ticketId);
    }, TYPING_MS);
    person.timer.unref();
    if (!wasTyping) this.#local(ticketId);
  }

  /** Everyone on the ticket, here or on another instance, but `exceptUserId` (one does not need to be told one is here). */
  list(ticketId: number, exceptUserId: number): PresenceEntry[] {
    const now = this.#now();
    const people = new Map<number, PresenceEntry>();
    for (const [userId, p] of this.#tickets.get(ticketId) ?? []) people.set(userId, { userId, name: p.name, replying: p.typingUntil > now });
    for (const entry of this.remote.on(ticketId)) {
      const here = people.get(entry.userId);
      people.set(entry.userId, here ? { ...here, replying: here.replying || entry.replying } : entry);
    }
    return [...people.values()]
      .filter((p) => p.userId !== exceptUserId)
      .sort((a, b) => Number(b.replying) - Number(a.replying) || a.name.localeCompare(b.name));
  }

  /** This instance's own presence on a ticket, as ids: what it announces to the others. */
  localState(ticketId: number): TicketPresence {
    const now = this.#now();
    const people = [...this.#tickets.get(ticketId) ?? []];
    return {
      ticketId,
      viewing: people.filter(([, p]) => p.streams > 0).map(([userId]) => userId),
      replying: people.filter(([, p]) => p.typingUntil > now).map(([userId]) => userId),
    };
  }

  /** The tickets this instance has someone on. */
  localTickets(): number[] {
    return [...this.#tickets.keys()];
  }

  clear(): void {
    for (const people of this.#tickets.values()) for (const p of people.values()) if (p.timer) clearTimeout(p.timer);
    this.#tickets.clear();
    this.remote.clear();
  }

  #local(ticketId: number): void {
    this.#changed(ticketId);
    this.onLocalChange?.(ticketId);
  }

  #person(ticketId: number, userId: number, name: string): Present {
    let people = this.#tickets.get(ticketId);
    if (!people) this.#tickets.set(ticketId, (people = new Map()));
    let person = people.get(userId);
    if (!person) people.set(userId, (person = { name, streams: 0, typingUntil: 0, timer: null }));
    return person;
  }

  #forgetIfGone(ticketId: number, userId: number): void {
    const people = this.#tickets.get(ticketId);
    const person = people?.get(userId);
    if (!people || !person || person.streams > 0 || person.typingUntil > this.#now()) return;
    if (person.timer) clearTimeout(person.timer);
    people.delete(userId);
    if (people.size === 0) this.#tickets.delete(ticketId);
  }
}
