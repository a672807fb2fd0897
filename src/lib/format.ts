const formatters = new Map<string, Intl.DateTimeFormat>();

/** A stored UTC time as the viewer reads it, in their time zone. */
export function formatTime(iso: string | null | undefined, timeZone = 'UTC'): string {
  if (!iso) return '';
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone, year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter.format(new Date(iso));
}
