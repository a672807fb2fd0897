import t from 'tap';
import { loadWithBackup } from '../reliability/load.js';

// `npm run test:stress`: the full-size load run; the in-suite version is test/reliability/load.test.ts.
const seconds = Number(process.env.LOAD_SECONDS ?? 60);
t.test(`50 connections of mixed work for ${seconds} s with mail and a backup`, async (t) => {
  const result = await loadWithBackup(t, { seconds, tickets: 2000 });
  t.comment(`RESULT load ${JSON.stringify(result)}`);
});
