import t from 'tap';
import { crashRounds } from '../reliability/crash.js';

// `npm run test:stress`: the full-size crash run; the in-suite version is test/reliability/crash.test.ts.
const rounds = Number(process.env.CRASH_ROUNDS ?? 50);
t.test(`SIGKILL at random moments, ${rounds} rounds`, async (t) => {
  const result = await crashRounds(t, { rounds, writers: 6, killAfterMs: [200, 2000] });
  t.comment(`RESULT crash ${JSON.stringify(result)}`);
});
