/**
 * Durations (whole seconds) kept as a histogram with fixed, log-scale buckets, so that the daily
 * rollup (rollup.ts) can add and remove a ticket's duration and a report can merge any number of
 * days' worth in a bounded number of steps, however many tickets they hold.
 *
 * The buckets: one per second up to 23 s, then each bucket is 2^(1/16) (4.43 %) wider than the one
 * before, up to thousands of years: about 530 of them. Each keeps how many values fell in it, the
 * sum of their offsets from the bucket's start and the sum of the offsets' squares (integers, so
 * adding and removing are exact). A value at a rank is estimated inside its bucket from the
 * bucket's mean and spread (see `valueAt`): exact when the bucket holds one value or equal values,
 * and never further from the true value than the bucket is wide: less than 4.43 % + 1 s.
 */

const RATIO = 2 ** (1 / 16);
/** Bucket i holds the integers from LOW[i] up to LOW[i + 1] - 1. */
const LOW: number[] = [0];
for (let next = 1; next < 2 ** 40; next = Math.max(next + 1, Math.ceil(next * RATIO))) LOW.push(next);
export const BUCKETS = LOW.length;

/** The bucket of a duration in seconds (negative ones count as 0, the longest go in the last). */
export function bucketOf(seconds: number): number {
  const v = Math.max(0, Math.floor(seconds));
  let lo = 0;
  let hi = BUCKETS - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (LOW[mid]! <= v) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Sparse: bucket → [count, sum of offsets, sum of squared offsets]. */
export type Histogram = Map<number, [number, number, number]>;

/** A duration's bucket and its offset in it (to add it to many histograms). */
export function valueOf(seconds: number): { b: number; d: number } {
  const b = bucketOf(seconds);
  return { b, d: Math.max(0, Math.floor(seconds)) - LOW[b]! };
}

/** Add (sign 1) or remove (sign -1) one duration. */
export function addValue(h: Histogram, seconds: number, sign: 1 | -1): void {
  addBucket(h, valueOf(seconds), sign);
}

export function addBucket(h: Histogram, { b, d }: { b: number; d: number }, sign: 1 | -1): void {
  const cell = h.get(b);
  if (cell) {
    cell[0] += sign;
    cell[1] += sign * d;
    cell[2] += sign * d * d;
  } else {
    h.set(b, [sign, sign * d, sign * d * d]);
  }
}

/** Add `from` into `into` (both stored histograms, or deltas). */
export function addInto(into: Histogram, from: Histogram): void {
  for (const [b, [n, s, q]] of from) {
    const cell = into.get(b);
    if (cell) {
      cell[0] += n;
      cell[1] += s;
      cell[2] += q;
    } else {
      into.set(b, [n, s, q]);
    }
  }
}

// Stored as base64 text (portable between the two databases and through move-data): unsigned
// LEB128 numbers, per non-empty bucket in ascending order: the gap from the previous bucket, the
// count, the sum and the sum of squares. A few bytes a bucket.

function putNumber(out: number[], value: number): void {
  let v = value;
  while (v >= 128) {
    out.push((v % 128) + 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

/** The histogram as stored; null when empty (a cell removed to nothing). */
export function encodeHistogram(h: Histogram): string | null {
  const bytes: number[] = [];
  let previous = -1;
  for (const b of [...h.keys()].sort((x, y) => x - y)) {
    const [n, s, q] = h.get(b)!;
    if (n === 0) continue;
    if (n < 0 || s < 0 || q < 0) throw new Error(`report histogram below zero in bucket ${b}`);
    putNumber(bytes, b - previous - 1);
    putNumber(bytes, n);
    putNumber(bytes, s);
    putNumber(bytes, q);
    previous = b;
  }
  return bytes.length === 0 ? null : Buffer.from(bytes).toString('base64');
}

/** The stored buckets in order: (bucket, count, sum, sum of squares) for each. */
function eachStored(stored: string, visit: (b: number, n: number, s: number, q: number) => void): void {
  const bytes = Buffer.from(stored, 'base64');
  let at = 0;
  const next = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = bytes[at++]!;
      value += (byte & 127) * scale;
      if (byte < 128) return value;
      scale *= 128;
    }
  };
  let b = -1;
  while (at < bytes.length) {
    b += next() + 1;
    visit(b, next(), next(), next());
  }
}

/**
 * Add a stored histogram into dense arrays indexed by bucket (what a report merges days into): no
 * Map and no objects per bucket, as a report merges tens of thousands of buckets.
 */
export function addStored(into: Dense, stored: string | null): void {
  if (!stored) return;
  eachStored(stored, (b, n, s, q) => {
    into.count[b]! += n;
    into.sum[b]! += s;
    into.squares[b]! += q;
  });
}

/** Read back into a Map (to change a stored cell): its few buckets, with no arrays of every bucket. */
export function decodeHistogram(stored: string | null): Histogram {
  const h: Histogram = new Map();
  if (stored) eachStored(stored, (b, n, s, q) => { h.set(b, [n, s, q]); });
  return h;
}

export interface Dense { count: Float64Array; sum: Float64Array; squares: Float64Array }

export function emptyDense(): Dense {
  return { count: new Float64Array(BUCKETS), sum: new Float64Array(BUCKETS), squares: new Float64Array(BUCKETS) };
}

export function addDense(into: Dense, from: Dense): void {
  for (let b = 0; b < BUCKETS; b++) {
    if (from.count[b] === 0) continue;
    into.count[b]! += from.count[b]!;
    into.sum[b]! += from.sum[b]!;
    into.squares[b]! += from.squares[b]!;
  }
}

export function totalOf(h: Dense): number {
  let n = 0;
  for (let b = 0; b < BUCKETS; b++) n += h.count[b]!;
  return n;
}

/**
 * The `rank`-th smallest value (1-based), estimated inside its bucket: the bucket's values are taken
 * as spread evenly around their mean, as widely as their variance says (a uniform spread of that
 * variance) but never past the bucket's edges. One value, or equal values, come back exactly.
 */
export function valueAt(h: Dense, rank: number): number {
  let before = 0;
  for (let b = 0; b < BUCKETS; b++) {
    const n = h.count[b]!;
    if (n === 0 || before + n < rank) {
      before += n;
      continue;
    }
    const low = LOW[b]!;
    const width = (LOW[b + 1] ?? low + 1) - 1 - low;
    const mean = h.sum[b]! / n;
    const variance = Math.max(0, h.squares[b]! / n - mean * mean);
    const half = Math.min(Math.sqrt(3 * variance), mean, width - mean);
    const j = rank - before;
    return low + mean + (n === 1 ? 0 : ((2 * j - 1) / n - 1) * Math.max(0, half));
  }
  return NaN;
}
