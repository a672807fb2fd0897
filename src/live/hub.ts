import type { MessageKind } from '../db/schema.js';
import { TooManyRequests } from '../lib/errors.js';
import { Presence } from './presence.js';
import { MAX_STREAMS_PER_SESSION, StreamIndex, type StreamOwner } from './streams.js';

declare const PUBLIC: unique symbol;

/**
 * The only thing a customer's stream ever carries: one public chat line. Its brand can only be put
 * on by publicChatLine (chat/lines.ts), which accepts nothing but a `chat` message, so a note or an
 * internal change cannot be typed into a customer event by mistake.
 */
export interface PublicChatLine {
  readonly id: number;
  readonly authorId: number | null;
  readonly authorName: string;
  readonly fromStaff: boolean;
  readonly bodyHtml: string;
  readonly createdAt: string;
  readonly [PUBLIC]: true;
}

export type CustomerEvent = { type: 'chat'; line: PublicChatLine };

/** Staff hear of chat lines, of other public messages (no content: the stale-reply notice) and of presence. */
export type StaffEvent =
  | { type: 'chat'; line: PublicChatLine }
  | { type: 'message'; kind: Exclude<MessageKind, 'note' | 'chat'>; authorId: number; authorName: string }
  | { type: 'presence' };

export interface Subscriber<E> extends StreamOwner {
  send(event: E): void;
  /** End the stream (the server is shutting down, the session ended, the person's access changed). */
  close(): void;
}

class Audience<E> {
  readonly #byTicket = new Map<number, Set<Subscriber<E>>>();

  add(ticketId: number, subscriber: Subscriber<E>): () => void {
    let set = this.#byTicket.get(ticketId);
    if (!set) this.#byTicket.set(ticketId, (set = new Set()));
    set.add(subscriber);
    return () => {
      set.delete(subscriber);
      if (set.size === 0 && this.#byTicket.get(ticketId) === set) this.#byTicket.delete(ticketId);
    };
  }

  publish(ticketId: number, event: E): void {
    for (const subscriber of [...(this.#byTicket.get(ticketId) ?? [])]) subscriber.send(event);
  }

  has(ticketId: number, userId: number): boolean {
    return [...(this.#byTicket.get(ticketId) ?? [])].some((s) => s.userId === userId);
  }

  all(): Subscriber<E>[] {
    return [...this.#byTicket.values()].flatMap((set) => [...set]);
  }
}

/**
 * The in-process event hub behind the messenger and presence: per ticket, two audiences that never
 * mix. Its streams are this process's, so memory is the right place. With several instances
 * (PostgreSQL) what it carries comes from the shared event stream (live/consumer.ts, nudged by
 * LISTEN/NOTIFY), and presence is announced between instances (live/presence-share.ts).
 */
export class LiveHub {
  readonly #staff = new Audience<StaffEvent>();
  readonly #customers = new Audience<CustomerEvent>();
  readonly #streams = new StreamIndex();
  readonly presence = new Presence({ changed: (ticketId) => this.toStaff(ticketId, { type: 'presence' }) });

  /**
   * Refuse one more stream beyond the session's share. Called before the response is taken over (so
   * the browser gets a plain 429 page), with nothing awaited between it and the subscribe.
   */
  assertRoomFor(sessionId: string): void {
    if (this.#streams.countForSession(sessionId) >= MAX_STREAMS_PER_SESSION) throw new TooManyRequests('live.tooManyStreams', 30);
  }

  subscribeStaff(ticketId: number, subscriber: Subscriber<StaffEvent>, name: string): () => void {
    const remove = this.#staff.add(ticketId, subscriber);
    const unindex = this.#streams.add(subscriber);
    const leave = this.presence.join(ticketId, subscriber.userId, name);
    return () => { remove(); unindex(); leave(); };
  }

  subscribeCustomer(ticketId: number, subscriber: Subscriber<CustomerEvent>): () => void {
    const remove = this.#customers.add(ticketId, subscriber);
    const unindex = this.#streams.add(subscriber);
    return () => { remove(); unindex(); };
  }

  /**
   * End every open stream of a person: their sessions ended, or their role, state or memberships
   * changed. A browser that may still watch reconnects and is checked afresh on the way in.
   */
  endStreamsOf(userId: number): void {
    this.#streams.closeUser(userId);
  }

  /** End the streams opened with one session (that session logged out). */
  endSessionStreams(sessionId: string): void {
    this.#streams.closeSession(sessionId);
  }

  toStaff(ticketId: number, event: StaffEvent): void {
    this.#staff.publish(ticketId, event);
  }

  /** A chat line goes to both audiences: the same public line, rendered by each for its reader. */
  chat(ticketId: number, line: PublicChatLine): void {
    this.#staff.publish(ticketId, { type: 'chat', line });
    this.#customers.publish(ticketId, { type: 'chat', line });
  }

  /** Whether this customer has the ticket open right now (then no digest mail is needed). */
  customerWatching(ticketId: number, userId: number): boolean {
    return this.#customers.has(ticketId, userId);
  }

  /** End every open stream, so the server can close (called before it stops listening). */
  closeAll(): void {
    this.presence.clear();
    for (const subscriber of [...this.#staff.all(), ...this.#customers.all()]) subscriber.close();
  }
}
