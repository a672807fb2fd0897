import { textToHtml } from '../lib/text.js';
import type { DemoPeople, DemoPerson, DemoStaff } from './demo-people.js';
import { collectBatch, type DemoBatch, type DemoRows } from './demo-sink.js';
import { messageBody, newThread, pick, seededRandom, subject, type Random, type Voice } from './demo-text.js';
import type { DemoTypes } from './demo-types.js';
import { chooseCategory, statusPicker, type DemoStatus } from './demo-workflow.js';

export interface TicketPlan {
  tickets: number;
  now: number;
  brandId: number;
  generalTypeId: number;
  types: DemoTypes;
  statuses: DemoStatus[];
  people: DemoPeople;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const SPAN = 3 * 365 * DAY;
const PRIORITIES = [['low', 0.15], ['normal', 0.75], ['high', 0.95], ['urgent', 1]] as const;
const iso = (ms: number) => new Date(ms).toISOString();
const exp = (random: Random, mean: number) => -Math.log(1 - random()) * mean;
/** For statusPicker: always the category's default status (history names where a ticket came from). */
const DEFAULT_ONLY: Random = () => 0;

interface Message { authorId: number; author: string; kind: 'reply' | 'note' | 'update'; voice: Voice; at: number }

/**
 * `plan.tickets` tickets, oldest first, spread over up to three years before `now` (fewer tickets: a
 * shorter span, so a small demo still looks busy). Each ticket gets what the app itself would have
 * written: messages, the activity stamps, events, field values and who has seen it. Handed to `put`
 * `batchSize` tickets at a time, with how many are done; the next batch waits for `put`.
 */
export async function generateTickets(random: Random, plan: TicketPlan, batchSize: number,
  put: (batch: DemoBatch, done: number) => Promise<void>): Promise<{ messages: number }> {
  const { tickets: total, now, people, types } = plan;
  const span = Math.min(SPAN, total * 1.5 * HOUR);
  const start = now - span;
  const statusFor = statusPicker(plan.statuses);
  const groups = [...people.groups.entries()];
  const customerFacing = (typeId: number) => typeId !== types.domainApproval && typeId !== types.accountCreated;
  const ownShare = Math.min(0.1, Math.max(0.0005, 20 / Math.max(1, total)));
  let messages = 0;
  const tagRandom = seededRandom(0x7a65);

  const one = (rows: DemoRows, i: number) => {
    const created = Math.floor(start + ((i + random()) * span) / total);
    const requester: DemoPerson = random() < ownShare ? people.namedCustomer : people.customers[Math.floor(people.customers.length * random() ** 1.5)]!;
    const r = random();
    const typeId = r < 0.6 ? plan.generalTypeId : r < 0.75 ? types.careCoordination : r < 0.9 ? types.domainApproval : types.accountCreated;
    // The newest few tickets take every status in turn, so even a tiny demo shows the whole workflow.
    const forced = total - 1 - i < plan.statuses.length ? plan.statuses[total - 1 - i]! : null;
    const status = forced ?? (typeId === types.accountCreated ? statusFor('closed', random) : statusFor(chooseCategory((now - created) / DAY, random), random));
    const [groupId, groupAgents] = groups[Math.floor(groups.length * random() ** 2)]!;
    const unassigned = status.category === 'new' || status.category === 'draft' || random() < 0.08;
    const assignee: DemoStaff | null = unassigned ? null : pick(random, groupAgents);
    const staffAuthor = () => assignee ?? pick(random, groupAgents);
    const roll = random();
    const priority = PRIORITIES.find(([, upTo]) => roll < upTo)![0];
    const channel = typeId === types.accountCreated ? 'agent' : random() < 0.5 ? 'portal' : random() < 0.8 ? 'email' : 'agent';

    // Internal tickets (no requester in the conversation) hold a few notes; the others up to 40 messages.
    const count = status.category === 'new' || status.category === 'draft' ? 1
      : typeId === types.accountCreated ? 1 : Math.min(customerFacing(typeId) ? 40 : 4, 2 + Math.floor(exp(random, 4)));
    const { thread, offset } = conversation(random, count, requester, customerFacing(typeId), staffAuthor);
    const done = status.category === 'solved' || status.category === 'closed' || status.category === 'cancelled';
    const solvedOffset = typeId === types.accountCreated ? 0 : done ? offset + Math.floor(exp(random, 10 * HOUR)) + 60_000 : null;
    const closedOffset = status.category === 'closed' || status.category === 'cancelled'
      ? (solvedOffset ?? 0) + (typeId === types.accountCreated ? 0 : Math.floor(2 * DAY + random() * 5 * DAY)) : null;
    // Nothing may happen in the future: squeeze a long story into the time since the ticket was opened.
    const end = Math.max(offset, solvedOffset ?? 0, closedOffset ?? 0);
    const squeeze = end > 0 && created + end > now - 60_000 ? Math.max(0, now - 60_000 - created) / end : 1;
    const at = (o: number) => created + Math.floor(o * squeeze);

    const firstStaff = thread.find((msg) => msg.authorId !== requester.id);
    const firstReply = thread.find((msg) => msg.authorId !== requester.id && msg.kind === 'reply');
    const lastPublic = thread.filter((msg) => msg.kind !== 'note').at(-1)!;
    const statusAt = closedOffset ?? solvedOffset ?? (status.category === 'new' ? 0 : firstStaff?.at ?? offset);
    const lastActivity = at(Math.max(offset, statusAt));
    const solvedAt = solvedOffset === null ? null : iso(at(solvedOffset));
    const closedAt = closedOffset === null ? null : iso(at(closedOffset));
    const subjectText = typeId === types.accountCreated ? `Account created for ${requester.name}`
      : typeId === types.domainApproval ? `Domain approval: ${domainOf(requester, random)}` : subject(random);

    const id = rows.ticket([subjectText, typeId, plan.brandId, status.id, priority, 'public', requester.id, requester.organizationId,
      assignee?.id ?? null, groupId, channel, requester.id, iso(created), iso(lastActivity), iso(lastActivity), lastPublic.authorId,
      firstReply ? iso(at(firstReply.at)) : null, solvedAt, closedAt]);
    const story = newThread(requester.name);
    for (const [n, msg] of thread.entries()) {
      const body = messageBody(random, story, { voice: msg.voice, author: msg.author, opening: n === 0, closing: done && n === thread.length - 1 });
      rows.message([id, msg.authorId, msg.kind, body, textToHtml(body), msg.authorId === requester.id && channel === 'email' ? 'email' : 'web', iso(at(msg.at))]);
    }
    messages += thread.length;

    rows.event([id, requester.id, 'created', null, subjectText, iso(created)]);
    if (assignee) rows.event([id, assignee.id, 'assignee', null, assignee.name, iso(at(firstStaff?.at ?? 0))]);
    const actorId = assignee?.id ?? requester.id;
    if (typeId !== types.accountCreated && status.category !== 'new') {
      const initial = statusFor('new', DEFAULT_ONLY);
      const solved = statusFor('solved', DEFAULT_ONLY);
      if (solvedAt !== null && closedAt !== null && status.category === 'closed') {
        rows.event([id, actorId, 'status', initial.name, solved.name, solvedAt]);
        rows.event([id, null, 'status', solved.name, status.name, closedAt]);
      } else if (status.id !== initial.id) {
        rows.event([id, actorId, 'status', initial.name, status.name, iso(at(statusAt))]);
      }
    }
    if (typeId === types.domainApproval) {
      rows.value([id, types.domainField, subjectText.slice('Domain approval: '.length)]);
      if (done) rows.value([id, types.approvalField, pick(random, ['approved', 'declined', 'cleared'])]);
    }
    // Tags from a stream of their own: the rest of the desk is what it was before tags (DEMO_VERSION 4).
    for (const tag of people.tags) if (tagRandom() < tag.share) rows.tagged([id, tag.id]);
    const requesterLast = thread.filter((msg) => msg.authorId === requester.id).at(-1)!;
    rows.seen([id, requester.id, iso(at(requesterLast.at))]);
    if (assignee) {
      const own = thread.filter((msg) => msg.authorId === assignee.id).at(-1);
      rows.seen([id, assignee.id, done ? iso(lastActivity) : iso(at(own?.at ?? 0))]);
    }
  };

  for (let from = 0; from < total; from += batchSize) {
    const to = Math.min(total, from + batchSize);
    await put(collectBatch((rows) => {
      for (let i = from; i < to; i++) one(rows, i);
    }), to);
  }
  return { messages };
}

/**
 * Who writes what, and when (as offsets from the ticket's creation): the requester opens, staff and
 * requester take turns, staff now and then write an internal note or a service update instead.
 * Where the requester takes no part (customer_facing off), staff write notes only.
 */
function conversation(random: Random, count: number, requester: DemoPerson, customerFacing: boolean, staffAuthor: () => DemoStaff) {
  const requesterId = requester.id;
  const customer = { authorId: requesterId, author: requester.name, kind: 'reply', voice: 'customer' } as const;
  const staff = (kind: Message['kind'], voice: Voice) => {
    const author = staffAuthor();
    return { authorId: author.id, author: author.name, kind, voice };
  };
  const thread: Message[] = [{ ...customer, at: 0 }];
  let offset = 0;
  for (let m = 1; m < count; m++) {
    offset += Math.floor(exp(random, 5 * HOUR)) + 60_000;
    if (customerFacing && m % 2 === 0) thread.push({ ...customer, at: offset });
    else if (!customerFacing || random() < 0.15) thread.push({ ...staff('note', 'note'), at: offset });
    else if (random() < 0.04) thread.push({ ...staff('update', 'update'), at: offset });
    else thread.push({ ...staff('reply', 'agent'), at: offset });
  }
  return { thread, offset };
}

function domainOf(requester: DemoPerson, random: Random): string {
  return requester.organizationId === null ? `partner-${Math.floor(random() * 10_000)}.test` : `org-${requester.organizationId}.test`;
}
