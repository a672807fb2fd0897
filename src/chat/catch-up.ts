import type { Db } from '../db/connect.js';
import type { PublicChatLine } from '../live/hub.js';
import { publicChatLine } from './lines.js';
import { chatRowsAfter, newestChatId } from './queries.js';

/** Message ids are 32-bit integers on PostgreSQL: a larger one was never sent, and would not compare. */
const MAX_ID = 2 ** 31 - 1;

/**
 * What a reconnecting browser says it has (the Last-Event-ID header): the id of the last chat line
 * its stream carried. Anything but a plain whole number is ignored, as if it had not been sent.
 */
export function parseLastEventId(header: string | string[] | undefined): number | null {
  if (typeof header !== 'string' || !/^\d{1,10}$/.test(header.trim())) return null;
  const id = Number(header.trim());
  return id <= MAX_ID ? id : null;
}

/**
 * Where a stream's browser stands in the ticket's chat. A chat line goes out with its message id as
 * the event id: message ids only grow, in the order lines are written, and are the ids the read
 * marks already count in (chat_marks). A browser that reconnects sends the last one back, and the
 * new stream first sends the lines written after it (chatRowsAfter: at most CHAT_LIMIT), then live
 * lines, each once.
 */
export class ChatCursor {
  /** Lines up to this id were in the catch-up or in the browser already: not sent again live. */
  #have = 0;
  /** The last id the browser was given (-1: none yet). */
  #told = -1;

  constructor(private readonly since: number | null) {}

  /**
   * The lines the browser missed, oldest first, and the position to leave it at. Without a
   * Last-Event-ID (a page just loaded) nothing is missed, but the browser learns the newest line's
   * id, so that a reconnect before the next line still catches up.
   */
  async catchUp(db: Db, ticketId: number): Promise<{ lines: PublicChatLine[]; position: number }> {
    if (this.since === null) return { lines: [], position: await newestChatId(db, ticketId) };
    const rows = await chatRowsAfter(db, ticketId, this.since);
    // An id beyond the newest line (not one we sent) must not hold back the lines still to come.
    this.#have = rows.length > 0 ? rows.at(-1)!.id : Math.min(this.since, await newestChatId(db, ticketId));
    return { lines: rows.map(publicChatLine), position: this.#have };
  }

  /** Whether a live line is news to the browser (not already sent by the catch-up). */
  fresh(line: PublicChatLine): boolean {
    return line.id > this.#have;
  }

  /** The id to send with a message, when it moves the browser forward (else none: it keeps the one it has). */
  advance(id: number): number | undefined {
    if (id <= this.#told) return undefined;
    this.#told = id;
    return id;
  }
}
