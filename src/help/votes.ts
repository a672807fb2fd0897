import type { Db } from '../db/connect.js';
import { Invalid } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';

/**
 * "Was this helpful?": one answer per reader and article. Answering again changes the answer, never
 * the number of answers. `voter` is `u:<id>` for a signed-in person and `v:<hash>` for a visitor
 * (a hash of their browser's own cookie, see routes-public.ts), so a visitor's answer cannot be
 * traced back to anything else. The article must be one the reader can see (the route reads it).
 */
export async function recordVote(db: Db, articleId: number, voter: string, helpful: 'yes' | 'no' | null): Promise<void> {
  if (helpful === null) throw new Invalid({ helpful: 'errors.choice' });
  const value = helpful === 'yes' ? 1 : 0;
  await db.transaction().execute(async (trx) => {
    const previous = await trx.selectFrom('help_votes').select('helpful').where('article_id', '=', articleId).where('voter', '=', voter).executeTakeFirst();
    if (previous?.helpful === value) return;
    if (previous) {
      await trx.updateTable('help_votes').set({ helpful: value, created_at: nowIso() }).where('article_id', '=', articleId).where('voter', '=', voter).execute();
    } else {
      await trx.insertInto('help_votes').values({ article_id: articleId, voter, helpful: value, created_at: nowIso() }).execute();
    }
    await trx.updateTable('help_articles').set((eb) => ({
      helpful_yes: eb('helpful_yes', '+', value === 1 ? 1 : previous ? -1 : 0),
      helpful_no: eb('helpful_no', '+', value === 0 ? 1 : previous ? -1 : 0),
    })).where('id', '=', articleId).execute();
  });
}

/** The reader's answer so far, if any (the article page says "Thanks" instead of asking again). */
export async function voteOf(db: Db, articleId: number, voter: string): Promise<'yes' | 'no' | null> {
  const row = await db.selectFrom('help_votes').select('helpful').where('article_id', '=', articleId).where('voter', '=', voter).executeTakeFirst();
  return row ? (row.helpful === 1 ? 'yes' : 'no') : null;
}

/**
 * "This answered my question" on an article suggested while writing a ticket (issue 23, point 4): a
 * deflection, counted once per reader and article, instead of a ticket.
 */
export async function recordDeflection(db: Db, articleId: number, voter: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const previous = await trx.selectFrom('help_deflections').select('voter').where('article_id', '=', articleId).where('voter', '=', voter).executeTakeFirst();
    if (previous) return;
    await trx.insertInto('help_deflections').values({ article_id: articleId, voter, created_at: nowIso() }).execute();
    await trx.updateTable('help_articles').set((eb) => ({ deflection_count: eb('deflection_count', '+', 1) })).where('id', '=', articleId).execute();
  });
}
