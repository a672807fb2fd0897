import { sql } from 'kysely';
import type { Db } from '../db/connect.js';

/**
 * Article views, counted in memory and written a few seconds later in one statement (issue 23, the
 * staff list's view counts and "popular articles"). A write per view would empty the app's read
 * caches (db/change-cache.ts) on every article read; a crawler or a reader pressing reload would count
 * again. So a view counts once per reader, article and day (readers as votes.ts knows them), bots
 * not at all. Per process: with several instances a reader may count once on each (close enough).
 */
export class ArticleViews {
  #pending = new Map<number, number>();
  #seen = new Set<string>();
  #day = '';
  #timer: NodeJS.Timeout | null = null;

  constructor(private readonly db: Db, private readonly maxSeen = 200_000) {}

  /** A reader opened an article: true when it counts (first time today for them). */
  note(articleId: number, reader: string, now = new Date()): boolean {
    const day = now.toISOString().slice(0, 10);
    if (day !== this.#day || this.#seen.size >= this.maxSeen) {
      this.#day = day;
      this.#seen.clear();
    }
    const key = `${articleId}:${reader}`;
    if (this.#seen.has(key)) return false;
    this.#seen.add(key);
    this.#pending.set(articleId, (this.#pending.get(articleId) ?? 0) + 1);
    return true;
  }

  /** Write the counts so far: one statement for all articles (none when nothing was read). */
  async flush(): Promise<void> {
    if (this.#pending.size === 0) return;
    const pending = this.#pending;
    this.#pending = new Map();
    try {
      for (const chunk of chunks([...pending], FLUSH_CHUNK)) await addViews(this.db, chunk);
    } catch (error) {
      // Kept for the next flush rather than lost (the database may be busy for a moment).
      for (const [id, n] of pending) this.#pending.set(id, (this.#pending.get(id) ?? 0) + n);
      throw error;
    }
  }

  /** Flush every `ms` (the timer does not keep the process alive); `onError` hears a failed flush. */
  start(ms: number, onError: (error: unknown) => void): void {
    this.stop();
    this.#timer = setInterval(() => void this.flush().catch(onError), ms);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}

/** Articles per statement: three parameters each, well below either database's limit. */
const FLUSH_CHUNK = 1000;

function* chunks<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

async function addViews(db: Db, counts: [number, number][]): Promise<void> {
  const cases = sql.join(counts.map(([id, n]) => sql`when ${id} then ${n}`), sql` `);
  await db.updateTable('help_articles')
    .set({ view_count: sql<number>`view_count + (case id ${cases} else 0 end)` })
    .where('id', 'in', counts.map(([id]) => id)).execute();
}

/** Each desk's counter (tests run several desks in one process). */
const counters = new WeakMap<Db, ArticleViews>();

export function articleViews(db: Db): ArticleViews {
  let counter = counters.get(db);
  if (!counter) counters.set(db, counter = new ArticleViews(db));
  return counter;
}

/** Write the views counted so far now (the timer and shutdown do it on their own; tests ask). */
export function flushArticleViews(db: Db): Promise<void> {
  return articleViews(db).flush();
}

/**
 * Crawlers, link previews and monitors say who they are: they read, but are no readers. The words
 * are those such clients put in their user agent (as the isbot list does, shortened); no user agent
 * at all is a script too.
 */
const BOT = /bot\b|bot\/|crawl|spider|slurp|archiver|facebookexternalhit|embedly|preview|monitor|headless|lighthouse|curl\/|wget\/|python-|go-http-client|java\/|okhttp|httpclient|axios\/|node-fetch|feedfetcher|mediapartners/i;

export function isBot(userAgent: string | undefined): boolean {
  return !userAgent || BOT.test(userAgent);
}
