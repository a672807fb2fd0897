import t from 'tap';
import { built } from '../helpers/cli.js';
import { onPostgres } from '../helpers/database.js';
import { loadWithBackup } from './load.js';

// The full-size run (60 s) is test/stress/load.stress.ts (`npm run test:stress`).
t.test('50 connections of mixed work for 10 s, mail worker on, backup taken meanwhile: no errors, no 5xx, no SQLITE_BUSY; the backup restores', { skip: (!built() && 'needs `npm run build`') || (onPostgres && 'SQLite only: a demo desk, SQLITE_BUSY and a file backup taken under load') }, async (t) => {
  const result = await loadWithBackup(t, { seconds: 10, tickets: 300 });
  t.comment(JSON.stringify(result));
});
