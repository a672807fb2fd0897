import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CustomerEvent, PublicChatLine, StaffEvent } from '../live/hub.js';
import { openEventStream } from '../live/stream.js';
import { formatTime } from '../lib/format.js';
import { findVisibleTicket } from '../tickets/queries.js';
import { markChatRead } from './queries.js';

/** What every live fragment is rendered with: the reader's own language and time zone. */
function viewData(request: FastifyRequest) {
  return { t: request.t, actor: request.actor, time: (iso: string | null) => formatTime(iso, request.actor?.timeZone ?? 'UTC') };
}

async function lineHtml(request: FastifyRequest, line: PublicChatLine): Promise<string> {
  return request.server.view('chat/_live-line', { ...viewData(request), line });
}

/** Events are rendered asynchronously; one stream still sends them in the order they happened. */
function inOrder<E>(request: FastifyRequest, handle: (event: E) => Promise<void>): (event: E) => void {
  let queue = Promise.resolve();
  return (event) => {
    queue = queue.then(() => handle(event)).catch((error: unknown) => request.log.warn({ err: error }, 'live event not delivered'));
  };
}

/**
 * A customer's stream: public chat lines only (CustomerEvent has no other kind). Before each line the
 * ticket is looked up again through the customer's scope: taken off a ticket (a CC removed, the ticket
 * made internal), they hear nothing more.
 */
export function streamToCustomer(request: FastifyRequest, reply: FastifyReply, ticketId: number): void {
  const { db, live } = request.server;
  const actor = request.actor!;
  let unsubscribe = () => {};
  const stream = openEventStream(reply, () => unsubscribe());
  unsubscribe = live.subscribeCustomer(ticketId, {
    userId: actor.id,
    close: () => stream.close(),
    send: inOrder(request, async (event: CustomerEvent) => {
      if (!(await findVisibleTicket(db, actor, ticketId))) return stream.close();
      stream.send(await lineHtml(request, event.line));
      await markChatRead(db, ticketId, actor.id, event.line.id);
    }),
  });
}

/** A staff member's stream: chat lines, who else is here, and news that makes an open reply form stale. */
export function streamToStaff(request: FastifyRequest, reply: FastifyReply, ticketId: number): void {
  const { db, live } = request.server;
  const actor = request.actor!;
  let unsubscribe = () => {};
  const stream = openEventStream(reply, () => unsubscribe());
  const presence = () => request.server.view('chat/_live-presence', { ...viewData(request), present: live.presence.list(ticketId, actor.id) });
  const render = async (event: StaffEvent): Promise<string> => {
    if (event.type === 'presence') return presence();
    const fromOther = event.type === 'chat' ? event.line.authorId !== actor.id : event.authorId !== actor.id;
    const stale = fromOther
      ? await request.server.view('chat/_live-stale', { ...viewData(request), name: event.type === 'chat' ? event.line.authorName : event.authorName })
      : '';
    return event.type === 'chat' ? (await lineHtml(request, event.line)) + stale : stale;
  };
  unsubscribe = live.subscribeStaff(ticketId, {
    userId: actor.id,
    close: () => stream.close(),
    send: inOrder(request, async (event: StaffEvent) => {
      const html = await render(event);
      if (html) stream.send(html);
      if (event.type === 'chat') await markChatRead(db, ticketId, actor.id, event.line.id);
    }),
  }, actor.name);
}
