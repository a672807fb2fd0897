import { sql } from 'kysely';
import type { Db } from '../db/connect.js';

export interface Segment { level: number; leaves: number }

/** The record of an FTS5 index's %_data table that holds its structure (FTS5_STRUCTURE_ROWID). */
const STRUCTURE_ID = 10;
/** What follows the cookie of a V2 structure record (indexes that can delete from contentless tables). */
const V2_MARK = [0xff, 0x00, 0x00, 0x01];
/** Varints a V2 record adds after each segment's leaves (origins, tombstone pages and entries, entries). */
const V2_SEGMENT_EXTRAS = 5;

/**
 * An FTS5 index's segments and the level each is on, from its structure record (SQLite's
 * fts5_index.c describes it: a 4-byte cookie, the V2 mark if any, then varints — levels, segments,
 * writes; per level the segments in an ongoing merge and the segments; per segment its id, first
 * and last leaf). SQLite has no function that tells this, and it decides where merge steps go
 * (merging.ts) and so what a rebuild must leave (maintenance.ts). For tests and the bench; throws
 * when the record does not read to its end (a format this code does not know).
 */
export async function segmentsOf(db: Db, index: string): Promise<Segment[]> {
  const { rows } = await sql<{ block: Uint8Array }>`select block from ${sql.table(`${index}_data`)} where id = ${STRUCTURE_ID}`.execute(db);
  const block = rows[0]?.block;
  if (!block) throw new Error(`${index} has no structure record`);
  const v2 = V2_MARK.every((byte, i) => block[4 + i] === byte);
  let at = v2 ? 8 : 4;
  if (at >= block.length) return []; // an index never written to: the cookie alone
  // SQLite's varint: big-endian groups of 7 bits, the high bit set on all but the last; a ninth byte gives 8 bits.
  const next = (): number => {
    let value = 0;
    for (let i = 0; i < 9; i++) {
      const byte = block[at++];
      if (byte === undefined) throw new Error(`${index}: the structure record ends early`);
      if (i === 8) return value * 256 + byte;
      value = value * 128 + (byte & 0x7f);
      if ((byte & 0x80) === 0) return value;
    }
    return value;
  };
  const levels = next();
  next(); // segments on all levels
  next(); // writes
  const segments: Segment[] = [];
  for (let level = 0; level < levels; level++) {
    next(); // segments in an ongoing merge
    const count = next();
    for (let s = 0; s < count; s++) {
      next(); // segment id
      const first = next();
      const last = next();
      if (v2) for (let e = 0; e < V2_SEGMENT_EXTRAS; e++) next();
      segments.push({ level, leaves: last - first + 1 });
    }
  }
  if (at !== block.length) throw new Error(`${index}: ${block.length - at} bytes of its structure record not understood`);
  return segments;
}
