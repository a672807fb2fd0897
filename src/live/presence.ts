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

/**
 * Who has a ticket open and who is typing on it: staff only, kept in memory. Viewing lasts as long as
 * a stream is open; typing expires TYPING_MS after the last ping. Every change calls `changed`.
 */
export class Presence {
  readonly #tickets = new Map<number, Map<number, Present>>();

  constructor(private readonly changed: (ticketId: number) => void) {}

  join(ticketId: number, userId: number, name: string): () => void {
    const person = this.#person(ticketId, userId, name);
    person.streams++;
    this.changed(ticketId);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      person.streams--;
      this.#forgetIfGone(ticketId, userId);
      this.changed(ticketId);
    };
  }

  typing(ticketId: number, userId: number, name: string, now = Date.now()): void {
    const person = this.#person(ticketId, userId, name);
    const wasTyping = person.typingUntil > now;
    person.typingUntil = now + TYPING_MS;
    if (person.timer) clearTimeout(person.timer);
    person.timer = setTimeout(() => {
      person.timer = null;
      person.typingUntil = 0;
      this.#forgetIfGone(ticketId, userId);
      this.changed(ticketId);
    }, TYPING_MS);
    person.timer.unref();
    if (!wasTyping) this.changed(ticketId);
  }

  /** Everyone on the ticket but `exceptUserId` (one does not need to be told one is here). */
  list(ticketId: number, exceptUserId: number, now = Date.now()): PresenceEntry[] {
    return [...(this.#tickets.get(ticketId) ?? new Map<number, Present>())]
      .filter(([userId]) => userId !== exceptUserId)
      .map(([userId, p]) => ({ userId, name: p.name, replying: p.typingUntil > now }))
      .sort((a, b) => Number(b.replying) - Number(a.replying) || a.name.localeCompare(b.name));
  }

  clear(): void {
    for (const people of this.#tickets.values()) for (const p of people.values()) if (p.timer) clearTimeout(p.timer);
    this.#tickets.clear();
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
    if (!people || !person || person.streams > 0 || person.typingUntil > Date.now()) return;
    if (person.timer) clearTimeout(person.timer);
    people.delete(userId);
    if (people.size === 0) this.#tickets.delete(ticketId);
  }
}
