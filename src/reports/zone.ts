import type { Db } from '../db/connect.js';
import { isTimeZone } from '../dashboard/days.js';
import { getSetting } from '../settings/settings.js';

/**
 * The site's time zone, which decides what "a day" is in the reports (an unknown stored zone falls
 * back to UTC, as on the dashboard). Read here rather than from the dashboard's module, which the
 * stream's consumer list must not pull in.
 */
export async function reportTimeZone(db: Db): Promise<string> {
  const zone = await getSetting(db, 'site_time_zone');
  return zone && isTimeZone(zone) ? zone : 'UTC';
}
