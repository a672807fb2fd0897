// What the cases need to know about the data set, read straight from the copied database before the
// server starts: which ticket has a long conversation, which ones an agent may answer.
import SQLite from 'better-sqlite3';

export interface Facts {
  /** A recent ticket with exactly (or, on a tiny desk, nearly) 20 messages. */
  longTicketId: number;
  longTicketMessages: number;
  /** Open tickets of customer-facing types: the reply case cycles through them. */
  replyTicketIds: number[];
  /** The topic the portal form offers first. */
  portalTypeId: number;
  tickets: number;
  /** The most read published public article of the help center, null on a data set without one. */
  helpArticleId: number | null;
  /** Customers who file the portal case's tickets in turn (the first is customer@acme.test where the desk has it). */
  filers: string[];
}

/** How many customers file the portal case's tickets: a portal's tickets come from many people, not one. */
const FILERS = 20;

export function readFacts(databasePath: string): Facts {
  const db = new SQLite(databasePath, { readonly: true });
  try {
    const maxId = (db.prepare('select max(id) as id from tickets').get() as { id: number | null }).id ?? 0;
    const long = db.prepare(`select ticket_id as id, count(*) as n from messages where ticket_id > ?
      group by ticket_id order by abs(count(*) - 20), ticket_id desc limit 1`).get(Math.max(0, maxId - 20_000)) as { id: number; n: number } | undefined;
    const replyTicketIds = (db.prepare(`select t.id from tickets t join ticket_types ty on ty.id = t.type_id
      join statuses s on s.id = t.status_id where ty.customer_facing = 1 and s.category in ('new', 'open', 'pending', 'on_hold')
      order by t.id desc limit 200`).all() as { id: number }[]).map((r) => r.id);
    const setting = (key: string) => Number((db.prepare('select value from settings where key = ?').get(key) as { value: string } | undefined)?.value) || null;
    const portalTypeId = setting('portal.default_type_id') ?? setting('default_type_id');
    if (!long || replyTicketIds.length === 0 || portalTypeId === null) throw new Error('the data set has no tickets to benchmark');
    const filers = (db.prepare(`select email from users where role = 'customer' and state = 'active' and password_hash is not null
      order by email <> 'customer@acme.test', id limit ${FILERS}`).all() as { email: string }[]).map((r) => r.email);
    return { longTicketId: long.id, longTicketMessages: long.n, replyTicketIds, portalTypeId, tickets: maxId, helpArticleId: mostReadArticle(db), filers };
  } finally {
    db.close();
  }
}

function mostReadArticle(db: SQLite.Database): number | null {
  const table = db.prepare("select 1 from sqlite_master where type = 'table' and name = 'help_articles'").get();
  if (!table) return null;
  const row = db.prepare(`select id from help_articles where state = 'published' and visibility = 'public'
    order by view_count desc, id limit 1`).get() as { id: number } | undefined;
  return row?.id ?? null;
}
