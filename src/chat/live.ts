import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CustomerEvent, PublicChatLine, StaffEvent } from '../live/hub.js';
import { openEventStream, type EventStream } from '../live/stream.js';
import { timeHelpers, viewerZone } from '../plugins/views.js';
import { ChatCursor, parseLastEventId } from './catch-up.js';
import { markChatRead } from './queries.js';
import { mayStillWatch, type Side } from './watch.js';

const streamData = new WeakMap<FastifyRequest, Promise<Record<string, unknown>>>();

/**
 * What every live fragment is rendered with: the reader's own language and time zone (as on their
 * pages). Worked out once per stream, not for every line it carries.
 */
function viewData(request: FastifyRequest): Promise<Record<string, unknown>> {
  let data = streamData.get(request);
  if (!data) {
    data = viewerZone(request).then((zone) => ({ t: request.t, actor: request.actor, ...timeHelpers(request, zone) }));
    streamData.set(request, data);
  }
  return data;
}

async function lineHtml(request: FastifyRequest, line: PublicChatLine): Promise<string> {
  return request.server.view('chat/_live-line', { ...(await viewData(request)), line });
}

/**
 * Take the response over for a stream of this ticket, within the session's share of streams. Its
 * work runs `inOrder`: events are rendered asynchronously, and one stream still sends them in the
 * order they happened, the catch-up of a reconnecting browser first. Before each piece of work it
 * asks again whether the session may still watch (see mayStillWatch): logged out, disabled, or
 * taken off the ticket (a CC removed, an organisation left, a group or role changed, the ticket
 * made internal), the stream ends without it.
 */
function openTicketStream(request: FastifyRequest, reply: FastifyReply, side: Side, ticketId: number) {
  const { db, live } = request.server;
  const sessionId = request.sessionId!;
  live.assertRoomFor(sessionId);
  let unsubscribe = () => {};
  const stream = openEventStream(reply, () => unsubscribe());
  let queue = Promise.resolve();
  const inOrder = (work: () => Promise<void>) => {
    queue = queue.then(async () => {
      if (stream.closed) return;
      if (!(await mayStillWatch(db, sessionId, side, ticketId))) return stream.close();
      await work();
    }).catch((error: unknown) => request.log.warn({ err: error }, 'live event not delivered'));
  };
  return {
    stream,
    inOrder,
    cursor: new ChatCursor(parseLastEventId(request.headers['last-event-id'])),
    owner: { userId: request.actor!.id, sessionId, close: () => stream.close() },
    subscribed(remove: () => void) { unsubscribe = remove; },
  };
}

/**
 * Send chat lines (each as `html(line)`, with its id when that moves the browser forward) and count
 * them as read. A catch-up that sent none still tells the browser where it stands.
 */
async function sendLines(request: FastifyRequest, ticketId: number, { stream, cursor }: { stream: EventStream; cursor: ChatCursor },
  lines: PublicChatLine[], html: (line: PublicChatLine) => Promise<string>): Promise<void> {
  for (const line of lines) stream.send(await html(line), cursor.advance(line.id));
  if (lines.length > 0) await markChatRead(request.server.db, ticketId, request.actor!.id, lines.at(-1)!.id);
}

/** First the lines missed since Last-Event-ID, then where the browser stands. */
function catchUp(request: FastifyRequest, ticketId: number, open: ReturnType<typeof openTicketStream>, html: (line: PublicChatLine) => Promise<string>) {
  open.inOrder(async () => {
    const { lines, position } = await open.cursor.catchUp(request.server.db, ticketId);
    await sendLines(request, ticketId, open, lines, html);
    const id = open.cursor.advance(position);
    if (id !== undefined) open.stream.mark(id);
  });
}

/** A customer's stream: public chat lines only (CustomerEvent has no other kind). */
export function streamToCustomer(request: FastifyRequest, reply: FastifyReply, ticketId: number): void {
  const { live } = request.server;
  const open = openTicketStream(request, reply, 'customer', ticketId);
  const html = (line: PublicChatLine) => lineHtml(request, line);
  catchUp(request, ticketId, open, html);
  open.subscribed(live.subscribeCustomer(ticketId, {
    ...open.owner,
    send: (event: CustomerEvent) => open.inOrder(async () => {
      if (open.cursor.fresh(event.line)) await sendLines(request, ticketId, open, [event.line], html);
    }),
  }));
}

/** A staff member's stream: chat lines, who else is here, and news that makes an open reply form stale. */
export function streamToStaff(request: FastifyRequest, reply: FastifyReply, ticketId: number): void {
  const { live } = request.server;
  const actor = request.actor!;
  const open = openTicketStream(request, reply, 'staff', ticketId);
  const presence = async () => request.server.view('chat/_live-presence', { ...(await viewData(request)), present: live.presence.list(ticketId, actor.id) });
  const stale = async (authorId: number, name: string) => authorId === actor.id ? ''
    : request.server.view('chat/_live-stale', { ...(await viewData(request)), name });
  // A line from someone else also tells an open reply form that it may be stale.
  const html = async (line: PublicChatLine) => (await lineHtml(request, line)) + (await stale(line.authorId ?? 0, line.authorName));
  catchUp(request, ticketId, open, html);
  open.subscribed(live.subscribeStaff(ticketId, {
    ...open.owner,
    send: (event: StaffEvent) => open.inOrder(async () => {
      if (event.type === 'chat') {
        if (open.cursor.fresh(event.line)) await sendLines(request, ticketId, open, [event.line], html);
        return;
      }
      const fragment = event.type === 'presence' ? await presence() : await stale(event.authorId, event.authorName);
      if (fragment) open.stream.send(fragment);
    }),
  }, actor.name));
}
