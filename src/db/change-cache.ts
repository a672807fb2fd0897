import { AsyncLocalStorage } from 'node:async_hooks';
import type SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import type { Db } from './connect.js';
import { isPostgres } from './dialect.js';

/**
 * A marker that changes whenever the database may have changed: this connection's `total_changes()`
 * (its own writes, committed or not) and `PRAGMA data_version` (commits by any other connection or
 * process). Two cheap reads, no table touched.
 *
 * PostgreSQL: the write-ahead log's insert position, which moves with every write of every
 * connection and instance (committed or not, and with the server's own upkeep: that only costs a
 * recomputation). It cannot be read on a read-only standby, which Deskbell never talks to.
 */
export async function changeMarker(db: Db): Promise<string> {
  // In a request: the marker it read first, while it has written nothing since (and not long ago).
  const scope = requestMarkers.getStore();
  const held = scope?.read.get(db);
  if (scope && held && held.writes === scope.writes && performance.now() - held.at < REQUEST_MARKER_MS) return held.value;
  const value = turnMarker(db);
  if (scope) {
    const entry = { value, writes: scope.writes, at: performance.now() };
    scope.read.set(db, entry);
    value.catch(() => { if (scope.read.get(db) === entry) scope.read.delete(db); });
  }
  return value;
}

/**
 * What one request has read of the markers, and how many statements that may write it has sent
 * itself (see `requestScope`).
 */
interface RequestMarkers {
  readonly read: Map<Db, { value: Promise<string>; writes: number; at: number }>;
  writes: number;
}

const requestMarkers = new AsyncLocalStorage<RequestMarkers>();

/**
 * How long a request goes on using the marker it read first. A page is a few milliseconds; this
 * only bounds a request that lasts (a stream of live updates), which then sees others' commits
 * this late at most.
 */
export const REQUEST_MARKER_MS = 100;

/**
 * Run one request's handling (app.ts, from its first hook): every remembered read in it checks the
 * marker read by the first, unless the request has itself written since. Without it, each of the
 * ten and more remembered reads of a page read the marker again whenever any other request of the
 * process had written in between, which on a busy desk is always: on PostgreSQL a round trip each,
 * seven per portal create. A request thus sees the remembered values as they stood when it first
 * asked (or newer), and its own writes at once, as a transaction would.
 */
export function requestScope<T>(run: () => T): T {
  return markerScope()(run);
}

/**
 * The configuration's marker: moved by writes to the configuration tables (settings, brands,
 * ticket types, fields, statuses, services: migration 0057; on PostgreSQL by any such statement,
 * even one that changed no row), read with the whole marker in one statement. Before that
 * migration (or without its row) it is the whole marker.
 */
export async function configMarker(db: Db): Promise<string> {
  const marker = await changeMarker(db);
  const config = marker.slice(marker.indexOf('#') + 1);
  return config === '' ? marker : config;
}

/**
 * A scope as `requestScope` makes one, to enter several times: whatever runs through the function
 * returned shares the marker read first, while nothing run through it writes, for REQUEST_MARKER_MS
 * at most (the event consumers' cheap checks of one read of the stream, events/runner.ts). Like a
 * request, it sees nothing committed after that first read: make it after whatever it must see.
 */
export function markerScope(): <T>(run: () => T) => T {
  const scope: RequestMarkers = { read: new Map(), writes: 0 };
  return (run) => requestMarkers.run(scope, run);
}

/** Run `run` outside any request's scope: work a request starts that goes on without it (the worker's nudge). */
export function outsideRequest<T>(run: () => T): T {
  return requestMarkers.exit(run);
}

/** The marker as this turn of the event loop read it last (see `changeMarker`). */
function turnMarker(db: Db): Promise<string> {
  // A page asks for the marker once per remembered read (ten times and more): within one turn of
  // the event loop, and with no write by this process since, the marker read last still holds.
  // (Another process's commit is then seen from the next turn on.) Kept as the promise of it from
  // the start, so that reads started at once share one.
  const memo = turnMarkers.get(db);
  if (memo && memo.turn === currentTurn() && memo.writes === writes) return memo.value;
  const value = readMarker(db);
  // A write while it is read makes `writes` move on: the next caller reads again.
  const entry = { value, turn: currentTurn(), writes };
  turnMarkers.set(db, entry);
  value.catch(() => { if (turnMarkers.get(db) === entry) turnMarkers.delete(db); });
  return value;
}

const turnMarkers = new WeakMap<Db, { value: Promise<string>; turn: number; writes: number }>();
/** Statements that may have written, by any connection of this process (db/connect.ts, db/postgres.ts count them). */
let writes = 0;
let turn = 0;
let turnEnding = false;

function currentTurn(): number {
  if (!turnEnding) {
    turnEnding = true;
    setImmediate(() => { turn++; turnEnding = false; });
  }
  return turn;
}

/** Whether a statement only reads: anything else (writes, `begin`, `commit`, pragmas) counts as a possible change. */
export function onlyReads(sqlText: string): boolean {
  return /^\s*select\b/i.test(sqlText);
}

/** A statement that may change the database is about to run in this process: the marker must be read again. */
export function noteWrite(sqlText: string): void {
  writes++;
  const target = writeTarget(sqlText);
  if (target === null) unknownWrites++;
  else if (target !== undefined) tableWrites.set(target, (tableWrites.get(target) ?? 0) + 1);
  const scope = requestMarkers.getStore();
  if (scope) scope.writes++;
}

/**
 * The marker, and after a `#` the configuration's (migration 0057: a counter the writes to the
 * configuration tables move), read in one statement. Before that migration (a desk being
 * upgraded) the configuration's is the whole marker.
 */
async function readMarker(db: Db): Promise<string> {
  if (!configMarkerKnown.has(db) && !await hasConfigMarker(db)) return `${await readWholeMarker(db)}#`;
  const raw = markerStatements.get(db);
  // Straight on the connection's handle: a hundredth of a millisecond less than through Kysely,
  // asked several times a page. (The handle is the one connection behind `db`: its own writes count.)
  if (raw?.statement) {
    const row = raw.statement.get() as { c: number; v: number; k: number | null };
    // Read on the handle, this bypasses Kysely's queue: between two statements of an open transaction
    // it sees that transaction's uncommitted counter, which a rollback takes back and the next
    // committed write reaches again. A value remembered under it must never match again: the
    // counter then comes with total_changes(), which only grows.
    const config = row.k === null ? '' : raw.sqlite.inTransaction ? `${row.k}~${row.c}` : String(row.k);
    return `${row.c}:${row.v}#${config}`;
  }
  if (isPostgres(db)) {
    const { rows } = await sql<{ lsn: string; k: string | null }>`select pg_current_wal_insert_lsn()::text as lsn, (select n from config_marker where id = 1)::text as k`.execute(db);
    return `${rows[0]!.lsn}#${rows[0]!.k ?? ''}`;
  }
  const { rows } = await sql<{ c: number; v: number; k: number | null }>`${sql.raw(MARKER_SQL)}`.execute(db);
  return `${rows[0]!.c}:${rows[0]!.v}#${rows[0]!.k ?? ''}`;
}

async function readWholeMarker(db: Db): Promise<string> {
  if (isPostgres(db)) return (await sql<{ lsn: string }>`select pg_current_wal_insert_lsn()::text as lsn`.execute(db)).rows[0]!.lsn;
  const { rows } = await sql<{ c: number; v: number }>`select total_changes() as c, (select data_version from pragma_data_version) as v`.execute(db);
  return `${rows[0]!.c}:${rows[0]!.v}`;
}

/** Databases whose config_marker table is there (it never goes away once it is). */
const configMarkerKnown = new WeakSet<Db>();

async function hasConfigMarker(db: Db): Promise<boolean> {
  const found = isPostgres(db)
    ? (await sql<{ t: string | null }>`select to_regclass('config_marker')::text as t`.execute(db)).rows[0]!.t !== null
    : (await sql<{ n: number }>`select count(*) as n from sqlite_master where type = 'table' and name = 'config_marker'`.execute(db)).rows[0]!.n > 0;
  if (!found) return false;
  configMarkerKnown.add(db);
  const raw = markerStatements.get(db);
  if (raw && !raw.statement) raw.statement = raw.sqlite.prepare(MARKER_SQL);
  return true;
}

const MARKER_SQL = 'select total_changes() as c, (select data_version from pragma_data_version) as v, (select n from config_marker where id = 1) as k';
const markerStatements = new WeakMap<Db, { sqlite: SQLite.Database; statement: SQLite.Statement | null }>();

/** `db` runs on this SQLite handle alone (db/connect.ts): its marker is read on the handle directly. */
export function readMarkerOn(db: Db, sqlite: SQLite.Database): void {
  markerStatements.set(db, { sqlite, statement: null });
}

/**
 * Results remembered until the database changes at all (any write empties it): correct by
 * construction, and a read-mostly desk answers repeated lookups without querying. Bounded: the
 * oldest entry goes when `limit` is reached. With `markerOf` = `configMarker`, until the
 * configuration changes: only for reads of the configuration tables (see `untilConfigChanged`).
 */
export class ChangeCache<T> {
  /**
   * Per database handle: two desks in one process (tests) may well have equal markers. The value is
   * kept as the promise of it, from the moment it is asked for: requests that come while it is
   * being computed (ten at once when the database has just changed) wait for that one computation
   * instead of each starting their own.
   */
  readonly #byDb = new WeakMap<Db, Map<string, { marker: string; value: Promise<T>; at: number }>>();
  /**
   * `graceMs`: a value stays good for this long after it was read even when the database changed
   * since, for values that stay safe when a little old (a search's floor: see search/agent-hits.ts).
   */
  constructor(private readonly limit = 1000, private readonly graceMs = 0, private readonly markerOf: (db: Db) => Promise<string> = changeMarker) {}

  async get(db: Db, key: string, compute: () => Promise<T>): Promise<T> {
    const marker = await this.markerOf(db);
    let entries = this.#byDb.get(db);
    if (!entries) this.#byDb.set(db, entries = new Map());
    const hit = entries.get(key);
    if (hit && (hit.marker === marker || performance.now() - hit.at < this.graceMs)) return hit.value;
    const at = performance.now();
    // Computed after reading the marker: a write in between only makes the next read recompute.
    const value = compute();
    entries.delete(key);
    if (entries.size >= this.limit) entries.delete(entries.keys().next().value as string);
    entries.set(key, { marker, value, at });
    // A failure is not remembered: the next request tries again (this one still gets the error).
    value.catch(() => { if (entries.get(key)?.value === value) entries.delete(key); });
    return value;
  }
}

/**
 * `read` remembered per key until the database changes (outside transactions; inside one it reads
 * as the transaction sees it). For what pages read again and that depends on more than the
 * configuration (`untilConfigChanged` is for the configuration tables alone: statuses, types,
 * fields, settings). The value is shared between callers: treat it as read-only. `graceMs`: see ChangeCache.
 */
export function untilChanged<A extends string | number, T>(read: (db: Db, arg: A) => Promise<T>, limit = 100, graceMs = 0): (db: Db, arg: A) => Promise<T> {
  const cache = new ChangeCache<T>(limit, graceMs);
  return (db, arg) => (db.isTransaction ? read(db, arg) : cache.get(db, String(arg), () => read(db, arg)));
}

/**
 * `read` remembered per key until the configuration changes (`configMarker`), whatever else is
 * written meanwhile: for reads of the configuration tables alone (migrations/0057_config_marker.ts
 * lists them; a read of any other table belongs in `untilChanged`). Inside a transaction it reads
 * as the transaction sees it.
 */
export function untilConfigChanged<A extends string | number, T>(read: (db: Db, arg: A) => Promise<T>, limit = 100): (db: Db, arg: A) => Promise<T> {
  const cache = new ChangeCache<T>(limit, 0, configMarker);
  return (db, arg) => (db.isTransaction ? read(db, arg) : cache.get(db, String(arg), () => read(db, arg)));
}

/** Statements of this process that wrote to each table, by the name their text gives it. */
const tableWrites = new Map<string, number>();
/** Statements that may have written to a table whose name their text does not give plainly. */
let unknownWrites = 0;

const WRITE_TARGET = /^\s*(?:insert\s+(?:or\s+\w+\s+)?into|replace\s+into|update(?:\s+or\s+\w+)?|delete\s+from)\s+"?(\w+)"?[\s(]/i;
// (`rollback to savepoint` undoes writes the counts cannot name: it counts for every table.)
const NO_TABLE_WRITTEN = /^\s*(?:begin|commit|end|rollback(?!\s+to\b)|savepoint|release|set|start\s+transaction|deallocate|pragma|analyze)\b/i;

/** The table a statement writes to; null when that cannot be told from its start; undefined when it writes none. */
function writeTarget(sqlText: string): string | null | undefined {
  const named = WRITE_TARGET.exec(sqlText);
  if (named) return named[1]!.toLowerCase();
  return NO_TABLE_WRITTEN.test(sqlText) && !sqlText.includes(';') ? undefined : null;
}

/**
 * A number that moves whenever a statement of this process may have written to `table` (one whose
 * target cannot be told counts for every table). For values a transaction reads more than once
 * and keeps while it writes nothing to their table (settings.ts).
 */
export function writesTo(table: string): number {
  return (tableWrites.get(table) ?? 0) + unknownWrites;
}
