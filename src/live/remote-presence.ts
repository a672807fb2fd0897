/** How often an instance announces its presence again, and how many missed announcements make it gone. */
export const PRESENCE_HEARTBEAT_MS = 10_000;
export const REMOTE_PRESENCE_TTL_MS = 3 * PRESENCE_HEARTBEAT_MS;

/** What one instance says of one ticket: who has it open there, who is typing there. Ids only. */
export interface TicketPresence {
  ticketId: number;
  viewing: number[];
  replying: number[];
}

interface Heard {
  /** When the instance last said so (its heartbeat repeats it). */
  at: number;
  /** By user: their name (looked up here) and whether they are typing. */
  people: Map<number, { name: string; replying: boolean }>;
}

/**
 * What the other instances say is on their tickets, by instance and ticket. Each announcement
 * replaces that instance's word on that ticket; a word not repeated within REMOTE_PRESENCE_TTL_MS is
 * forgotten (`expire`), so the viewers of an instance that was killed disappear; an instance that
 * stops cleanly says goodbye (`forget`). A change calls `changed` for the ticket.
 */
export class RemotePresence {
  readonly #byInstance = new Map<string, Map<number, Heard>>();

  constructor(private readonly changed: (ticketId: number) => void, private readonly now: () => number) {}

  /** An instance announced these tickets; `names` holds the name of every user id in them. */
  heard(instance: string, states: readonly TicketPresence[], names: ReadonlyMap<number, string>): void {
    let tickets = this.#byInstance.get(instance);
    if (!tickets) this.#byInstance.set(instance, (tickets = new Map()));
    const at = this.now();
    for (const { ticketId, viewing, replying } of states) {
      const people = new Map<number, { name: string; replying: boolean }>();
      for (const userId of [...viewing, ...replying]) {
        people.set(userId, { name: names.get(userId) ?? '', replying: replying.includes(userId) });
      }
      const before = tickets.get(ticketId);
      if (people.size === 0) tickets.delete(ticketId);
      else tickets.set(ticketId, { at, people });
      if (!sameWord(before?.people, people)) this.changed(ticketId);
    }
    if (tickets.size === 0) this.#byInstance.delete(instance);
  }

  /** The instance stopped (it said goodbye): none of its people are here any more. */
  forget(instance: string): void {
    const tickets = this.#byInstance.get(instance);
    this.#byInstance.delete(instance);
    for (const ticketId of tickets?.keys() ?? []) this.changed(ticketId);
  }

  /** Forget what was not repeated in time (the instance died, or its goodbye got lost). */
  expire(): void {
    const oldest = this.now() - REMOTE_PRESENCE_TTL_MS;
    for (const [instance, tickets] of this.#byInstance) {
      for (const [ticketId, heard] of tickets) {
        if (heard.at >= oldest) continue;
        tickets.delete(ticketId);
        this.changed(ticketId);
      }
      if (tickets.size === 0) this.#byInstance.delete(instance);
    }
  }

  /** Everyone the other instances say is on the ticket (a person on two of them: once, replying if on either). */
  on(ticketId: number): { userId: number; name: string; replying: boolean }[] {
    const oldest = this.now() - REMOTE_PRESENCE_TTL_MS;
    const people = new Map<number, { userId: number; name: string; replying: boolean }>();
    for (const tickets of this.#byInstance.values()) {
      const heard = tickets.get(ticketId);
      if (!heard || heard.at < oldest) continue;
      for (const [userId, p] of heard.people) {
        people.set(userId, { userId, name: p.name, replying: p.replying || (people.get(userId)?.replying ?? false) });
      }
    }
    return [...people.values()];
  }

  clear(): void {
    this.#byInstance.clear();
  }
}

function sameWord(a: Heard['people'] | undefined, b: Heard['people']): boolean {
  if ((a?.size ?? 0) !== b.size) return false;
  for (const [userId, p] of b) {
    const was = a?.get(userId);
    if (!was || was.replying !== p.replying || was.name !== p.name) return false;
  }
  return true;
}
