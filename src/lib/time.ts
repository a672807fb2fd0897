/** One convention for stored times: UTC ISO-8601 strings, which sort as text. */
export function nowIso(): string {
  return new Date().toISOString();
}

export function isoIn(ms: number, from = Date.now()): string {
  return new Date(from + ms).toISOString();
}

export const HOUR = 3600_000;
export const DAY = 24 * HOUR;
