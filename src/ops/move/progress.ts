interface Running {
  total: number;
  rows: number;
  started: number;
  /** Rows are in; its indexes and keys are being made. */
  indexing: boolean;
}

/**
 * Progress of the copy on stderr. At a terminal, one status line redrawn in place (at most ten
 * times a second) with a bar for each table being copied, and a line for each finished one above
 * it; elsewhere (a log, a pipe) just one line per finished table, nothing redrawn.
 */
export class Progress {
  readonly #running = new Map<string, Running>();
  #drawn = 0;

  readonly #terminal: boolean;
  readonly #columns: number;

  /** `terminal`: stderr's width when it is a terminal; `width`: of the table column. */
  constructor(private readonly write: (text: string) => void, terminal: { columns: number } | undefined, readonly width = 0) {
    this.#terminal = terminal !== undefined;
    this.#columns = Math.max(terminal?.columns ?? 80, 40);
  }

  /** A table of `total` rows begins (or, `building`, a step without rows to count). */
  start(table: string, total: number, building = false): void {
    this.#running.set(table, { total, rows: 0, started: Date.now(), indexing: building });
    this.#draw(true);
  }

  update(table: string, rows: number): void {
    const entry = this.#running.get(table);
    if (!entry) return;
    entry.rows = rows;
    this.#draw(false);
  }

  indexing(table: string): void {
    const entry = this.#running.get(table);
    if (!entry) return;
    entry.indexing = true;
    this.#draw(true);
  }

  done(table: string, rows: number): void {
    const entry = this.#running.get(table);
    this.#running.delete(table);
    const seconds = entry ? (Date.now() - entry.started) / 1000 : 0;
    const rate = rows > 0 && seconds >= 0.1 ? ` (${count(Math.round(rows / seconds))} rows/s)` : '';
    this.note(`${table.padEnd(this.width)}  ${count(rows).padStart(11)} rows in ${seconds.toFixed(1)} s${rate}`);
  }

  /** Stop showing a job that reports its own end. */
  forget(table: string): void {
    this.#running.delete(table);
  }

  /** A line of its own (a finished table, a step): above the status line at a terminal. */
  note(text: string): void {
    this.write(this.#terminal ? `\r\x1b[K${text}\n` : `${text}\n`);
    this.#draw(true);
  }

  /** Clear the status line for good. */
  end(): void {
    if (this.#terminal) this.write('\r\x1b[K');
  }

  #draw(now: boolean): void {
    if (!this.#terminal || this.#running.size === 0 || (!now && Date.now() - this.#drawn < 100)) return;
    this.#drawn = Date.now();
    const parts = [...this.#running].map(([table, { total, rows, indexing }]) => {
      if (indexing) return total === 0 ? `${table}: building` : `${table}: ${count(rows)} rows in, building indexes`;
      const filled = Math.round((total > 0 ? Math.min(rows / total, 1) : 1) * 20);
      return `${table} [${'#'.repeat(filled)}${'.'.repeat(20 - filled)}] ${count(rows)} / ${count(total)}`;
    });
    // One line, never wrapped: a wrapped line could not be redrawn in place.
    this.write(`\r\x1b[K${parts.join('   ').slice(0, this.#columns - 1)}`);
  }
}

export const count = (n: number): string => n.toLocaleString('en');
