import t from 'tap';
import { built } from '../helpers/cli.js';
import { onPostgres } from '../helpers/database.js';
import { crashRounds } from './crash.js';

// Kill rounds plus the mail drain after them can outlast the suite's 120 s on a busy machine.
t.setTimeout(300_000);

// The full-size run (50 rounds) is test/stress/crash.stress.ts (`npm run test:stress`).
t.test('SIGKILL at random moments loses no acknowledged write, no mail, and leaves no stray file (5 rounds)', { skip: (!built() && 'needs `npm run build`') || (onPostgres && 'SQLite only: the desk is built with `deskbell demo` and checked through the SQLite file') }, async (t) => {
  const result = await crashRounds(t, { rounds: 5, writers: 4, killAfterMs: [200, 1000] });
  t.comment(JSON.stringify(result));
});
