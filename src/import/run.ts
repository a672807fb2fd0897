import type { Db } from '../db/connect.js';
import type { ImportKind, ImportSource } from './schema.js';

export type Counted = 'organizations' | 'people' | 'tickets' | 'messages' | 'attachments';
export const COUNTED: readonly Counted[] = ['organizations', 'people', 'tickets', 'messages', 'attachments'];

export interface Tally { created: number; skipped: number; failed: number }

/**
 * One import run: what it has counted (made, skipped as made before or already here, failed), what
 * each original id became, and where errors and progress go. In a dry run nothing is written; what
 * would be made is counted the same way.
 */
export class Run {
  readonly counts = Object.fromEntries(COUNTED.map((c) => [c, { created: 0, skipped: 0, failed: 0 }])) as Record<Counted, Tally>;
  readonly #ids = new Map<string, number>();

  constructor(
    readonly db: Db,
    readonly source: ImportSource,
    readonly dryRun: boolean,
    readonly uploadsDir: string,
    /** One line per row that failed, and per file the export names but does not hold. */
    readonly report: { error: (line: string) => void; note: (line: string) => void },
  ) {}

  /** What an original id became here (negative in a dry run: would be made), if known. */
  local(kind: ImportKind, id: string): number | undefined {
    return this.#ids.get(`${kind}:${id}`);
  }

  create(counted: Counted, kind: ImportKind, id: string, local: number): void {
    this.#ids.set(`${kind}:${id}`, local);
    this.counts[counted].created++;
  }

  skip(counted: Counted, kind: ImportKind, id: string, local: number): void {
    this.#ids.set(`${kind}:${id}`, local);
    this.counts[counted].skipped++;
  }

  fail(counted: Counted, what: string, id: string, reason: string): void {
    this.counts[counted].failed++;
    this.report.error(`${what} ${id}: ${reason}`);
  }

  /** Left out on purpose (not an error): counted as skipped, and said. */
  leaveOut(counted: Counted, what: string, id: string, reason: string): void {
    this.counts[counted].skipped++;
    this.report.note(`${what} ${id}: ${reason}`);
  }

  get failed(): number {
    return COUNTED.reduce((sum, c) => sum + this.counts[c].failed, 0);
  }
}
