import { addMessage } from '../kernel/index.js';
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/connect.js';
import type { Translate } from '../i18n.js';
import { NotFound } from '../lib/errors.js';
import { formatTime } from '../lib/format.js';
import { compareText } from '../lib/order.js';
import { nowIso } from '../lib/time.js';
import { findVisibleTicket, markSeen } from '../tickets/queries.js';
import { can } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import type { VideoSessionInput } from './schemas.js';

/** Where meeting rooms live when VIDEO_BASE_URL is not set. */
export const DEFAULT_VIDEO_BASE_URL = 'https://meet.jit.si/';

/** A meeting link: the base URL plus a room name nobody can guess (128 random bits). */
export function meetingUrl(baseUrl: string | null): string {
  const base = baseUrl || DEFAULT_VIDEO_BASE_URL;
  return `${base.endsWith('/') ? base : `${base}/`}deskbell-${randomBytes(16).toString('base64url')}`;
}

/** The ticket's video sessions, newest first (sorted here, not by `order by`: see lib/order.ts). */
export async function listVideoSessions(db: Db, ticketId: number) {
  const sessions = await db.selectFrom('video_sessions').leftJoin('users', 'users.id', 'video_sessions.created_by_id')
    .select(['video_sessions.id', 'video_sessions.title', 'video_sessions.url', 'video_sessions.starts_at',
      'video_sessions.created_at', 'users.name as creator_name'])
    .where('video_sessions.ticket_id', '=', ticketId)
    .execute();
  return sessions.sort((a, b) => compareText(b.created_at, a.created_at) || b.id - a.id);
}

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** Milliseconds the zone is ahead of UTC at the given instant. */
function zoneOffset(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - Math.floor(ms / 1000) * 1000;
}

/** A datetime-local value read in the given time zone (UTC when none), as an ISO instant; null when malformed. */
export function localTimeToIso(value: string, timeZone: string | null): string | null {
  const m = LOCAL_TIME.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0)) as number[];
  const wall = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
  const check = new Date(wall);
  if (check.getUTCMonth() !== month! - 1 || check.getUTCDate() !== day! || hour! > 23 || minute! > 59) return null;
  const zone = timeZone || 'UTC';
  let ms = wall - zoneOffset(wall, zone);
  ms = wall - zoneOffset(ms, zone); // across a DST change, the offset at the instant itself
  return new Date(ms).toISOString();
}

/**
 * Staff open a video session on a ticket: the session, a public update carrying its link, and a
 * history event are written in one transaction.
 */
export async function createVideoSession(db: Db, actor: Actor, ticketId: number, { title, startsAt }: VideoSessionInput,
  options: { baseUrl: string | null; t: Translate }): Promise<{ id: number; url: string }> {
  if (!can(actor, 'ticket.video')) throw new NotFound();

  return db.transaction().execute(async (trx) => {
    const ticket = await findVisibleTicket(trx, actor, ticketId);
    if (!ticket) throw new NotFound();
    const now = nowIso();
    const url = meetingUrl(options.baseUrl);
    const session = await trx.insertInto('video_sessions').values({
      ticket_id: ticket.id, created_by_id: actor.id, title, url, starts_at: startsAt, created_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    const body = [
      options.t('video.message.title', { title: escapeMarkdown(title) }),
      startsAt ? options.t('video.message.startsAt', { time: formatTime(startsAt, actor.timeZone ?? 'UTC', options.t.locale) }) : null,
      options.t('video.message.join', { url }),
    ].filter((line): line is string => line !== null).join('\n\n');
    await addMessage(trx, actor, ticket.id, {
      kind: 'update', bodyText: body, history: [{ kind: 'video', from: null, to: title }],
    });
    await markSeen(trx, actor.id, ticket.id, now);
    return { id: session.id, url };
  });
}

/** A title shown as plain text inside Markdown. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()<>#+\-.!|~]/g, '\\$&');
}
